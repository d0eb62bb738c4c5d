export type { Codec } from "./codec.ts";
export { bytesCodec } from "./bytes.ts";
export {
  getRegisteredClass,
  registerClass,
  registeredClasses,
  registeredClassName,
  type ClassConstructor,
} from "./class-registry.ts";
export { describeValue, withKey } from "./describe.ts";
export { jsonCodec } from "./json.ts";
export { createMsgpackCodec, msgpackCodec, type MsgpackCodecOptions } from "./msgpack.ts";
export { codecNames, decodeValue, encodeValue, resolveCodec, type CodecName, type CodecSpec } from "./resolve-codec.ts";
export { superjsonCodec } from "./superjson.ts";
