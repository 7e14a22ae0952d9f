/** Thrown by the conformance kit when a plugin breaks its contract. */
export class ConformanceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConformanceError';
  }
}

/** Throw a {@link ConformanceError} unless `cond`. */
export function ensure(cond: unknown, message: string): asserts cond {
  if (!cond) throw new ConformanceError(message);
}
