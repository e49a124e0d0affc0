/**
 * The logger interface the libraries and the server write to. The server supplies the real one
 * (levels, stdout, daily-rotated file); libraries take it as an option and default to `nullLogger`.
 */
export interface Logger {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

export const nullLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};
