// @ts-check
/**
 * TypeDoc plugin: drops the warning "<name> has multiple declarations with a
 * comment" when every declaration it lists is the same line of the same file.
 *
 * TypeScript gives a property of an intersection type one declaration per
 * constituent, so a property of a valibot object schema that reaches a
 * `v.pipe(...)` or an inferred plugin type (e.g. `adam`'s `learningRate`) has
 * the same declaration several times; TypeDoc 0.28 counts each as another
 * comment. Warnings naming two different places still get through. (It matches
 * TypeDoc's English message; under another `lang` the warnings simply stay.)
 *
 * @param {import('typedoc').Application} app
 */
export function load(app) {
  const logger = app.logger;
  const warn = logger.warn.bind(logger);
  const info = logger.info.bind(logger);
  const error = logger.error.bind(logger);
  /** @type {unknown[] | undefined} a held-back warning, waiting for the list of places that follows it */
  let held;
  const flush = () => {
    if (held) warn(.../** @type {[any, ...any[]]} */ (held));
    held = undefined;
  };
  logger.warn = (text, ...args) => {
    flush();
    if (/ has multiple declarations with a comment\b/.test(String(text))) held = [text, ...args];
    else warn(text, ...args);
  };
  logger.error = (text, ...args) => {
    flush();
    error(text, ...args);
  };
  logger.info = (text) => {
    if (held) {
      const places = String(text).split('\n').slice(1).map((line) => line.trim()).filter(Boolean);
      if (places.length > 1 && places.every((place) => place === places[0])) {
        held = undefined;
        return;
      }
      flush();
    }
    info(text);
  };
}
