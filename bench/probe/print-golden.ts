import { msgpackCodec } from "../../src/codec/index.ts";
import { goldenValues } from "../../test/codec/fixtures/golden-values.ts";
for (const name of ["object", "specialNumbers", "unicode"]) console.log(name, Buffer.from(msgpackCodec.encode((goldenValues() as any)[name])).toString("hex"));
