/** Side-effect entry: registers `@acme/npde-dispersion`'s plugins in npde's global registry. */
export {};
