import { inspect } from "node:util";

/** Where a command writes: human text on stdout, or one JSON document with --json. */
export interface Output {
  readonly json: boolean;
  /** A human line (ignored with --json). */
  line(text: string): void;
  /** The result: printed as JSON with --json, else by `human` (or inspected). */
  result(value: unknown, human?: () => void): void;
  /** Progress on stderr, only when it is a terminal and not --json. */
  progress(text: string): void;
  endProgress(): void;
}

export function makeOutput(json: boolean, stdout = process.stdout, stderr = process.stderr): Output {
  const showProgress = !json && stderr.isTTY === true;
  let shown = false;
  return {
    json,
    line: (text) => {
      if (!json) stdout.write(text + "\n");
    },
    result: (value, human) => {
      if (json) stdout.write(JSON.stringify(value, jsonReplacer, 2) + "\n");
      else if (human) human();
      else stdout.write(show(value) + "\n");
    },
    progress: (text) => {
      if (!showProgress) return;
      stderr.write(`\r\x1b[K${text}`);
      shown = true;
    },
    endProgress: () => {
      if (shown) stderr.write("\r\x1b[K");
      shown = false;
    },
  };
}

/** A value as a human reads it (Dates, Maps, BigInts and all). */
export function show(value: unknown): string {
  return typeof value === "string" ? value : inspect(value, { depth: 6, colors: false, breakLength: 100 });
}

/** JSON for the values JSON cannot hold: BigInt as string, Map/Set as arrays, bytes as base64. */
export function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [typeof k === "string" ? k : JSON.stringify(k, jsonReplacer), v]));
  if (value instanceof Set) return [...value];
  if (value instanceof Uint8Array) return Buffer.from(value).toString("base64");
  if (value === undefined) return null;
  return value;
}
