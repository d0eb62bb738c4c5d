import type { Codec } from "../codec/codec.ts";
import { codecNames, resolveCodec, type CodecSpec } from "../codec/resolve-codec.ts";
import { CodecError } from "../errors.ts";

/** The codec a new store records when `store()` is given none. */
export const DEFAULT_CODEC = "msgpack";

/**
 * The codec a store object uses, given the `codec` option (undefined: not given) and the
 * codec the store's format record names (undefined: a store recorded before codecs were,
 * opened read-only). A store is read with the codec that wrote it: without the option, the
 * recorded built-in; with it, it must be the recorded one, else CodecError (reading with
 * another codec would give wrong values, not errors: a superjson store read as json
 * returns `{ json: 5 }` for 5).
 */
export function storeCodec(option: CodecSpec | undefined, recorded: string | undefined, where: string): Codec {
  const requested = option === undefined ? undefined : resolveCodec(option);
  if (recorded === undefined) return requested ?? resolveCodec(DEFAULT_CODEC);
  if (requested !== undefined) {
    if (requested.name === recorded) return requested;
    throw new CodecError(
      `the store at ${where} is written with the ${JSON.stringify(recorded)} codec, but this store() was given codec ${JSON.stringify(requested.name)}; ` +
        (isBuiltin(recorded) ? `open it with codec: ${JSON.stringify(recorded)}, or leave the option out.` : `pass the Codec object named ${JSON.stringify(recorded)} as the codec option.`) +
        " Nothing was written.",
      { codec: requested.name, recorded },
    );
  }
  if (isBuiltin(recorded)) return resolveCodec(recorded as CodecSpec);
  throw new CodecError(
    `the store at ${where} is written with the custom codec ${JSON.stringify(recorded)}; pass that Codec object as the codec option to open it. Nothing was written.`,
    { recorded },
  );
}

function isBuiltin(name: string): boolean {
  return (codecNames as readonly string[]).includes(name);
}
