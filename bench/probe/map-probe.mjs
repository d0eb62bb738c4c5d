import { Packr, Unpackr } from "msgpackr";
for (const mapsAsObjects of [true, false]) {
  const p = new Packr({ structuredClone: true, useRecords: false, moreTypes: true });
  const u = new Unpackr({ structuredClone: true, useRecords: false, moreTypes: true, mapsAsObjects });
  const v = { obj: { a: 1 }, map: new Map([["a", 1], [2, "x"]]), set: new Set([1]), d: new Date(0), arr: [1, { b: 2 }] };
  const cyc = { name: "c" }; cyc.self = cyc;
  const out = u.unpack(p.pack(v));
  const c2 = u.unpack(p.pack(cyc));
  console.log(mapsAsObjects, out, out.map instanceof Map, out.obj instanceof Map, c2.self === c2, p.pack({a:1}).toString("hex"), p.pack(new Map([["a",1]])).toString("hex"));
}
