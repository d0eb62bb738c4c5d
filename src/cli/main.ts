#!/usr/bin/env node
/** `kvgit <command> --store <dir|redis://...|postgres://...>`: inspect and maintain a store. */
import { realpathSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { KvgitError } from "../errors.ts";
import { flag, parseArgs, UsageError } from "./args.ts";
import { COMMANDS, openStore, USAGE } from "./commands.ts";
import { makeOutput } from "./output.ts";

export async function main(argv: readonly string[]): Promise<number> {
  let args;
  try {
    args = parseArgs(argv);
  } catch (err) {
    process.stderr.write(`kvgit: ${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (args.flags.has("help") || !args.command) {
    process.stdout.write(USAGE + "\n");
    return args.command ? 0 : 2;
  }
  const command = COMMANDS[args.command];
  if (!command) {
    process.stderr.write(`kvgit: unknown command ${JSON.stringify(args.command)}\n${USAGE}\n`);
    return 2;
  }
  const out = makeOutput(args.flags.has("json"));
  let s;
  try {
    s = await openStore(args, args.command === "merge" ? flag(args, "into") : undefined);
    return (await command.run(s, args, out)) ?? 0;
  } catch (err) {
    out.endProgress();
    if (err instanceof UsageError) {
      process.stderr.write(`kvgit: ${err.message}\n`);
      return 2;
    }
    const e = err as Error;
    if (out.json && err instanceof KvgitError) process.stdout.write(JSON.stringify({ error: err.toJSON() }, null, 2) + "\n");
    process.stderr.write(`kvgit: ${e instanceof KvgitError ? `${e.message} [${e.code}]` : e.stack ?? e.message}\n`);
    return 1;
  } finally {
    await s?.close().catch(() => {});
  }
}

/** True when this file is the program being run (directly, or through npm's bin link). */
function isEntryPoint(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return pathToFileURL(realpathSync(entry)).href === import.meta.url;
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
