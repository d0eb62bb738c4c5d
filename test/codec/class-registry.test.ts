import { describe, expect, it } from "vitest";
import { getRegisteredClass, registerClass, registeredClassName, registeredClasses } from "../../src/codec/index.ts";

describe("registerClass", () => {
  it("uses Class.name by default and is idempotent", () => {
    class Kitten {}
    expect(registerClass(Kitten)).toBe("Kitten");
    expect(registerClass(Kitten)).toBe("Kitten");
    expect(registerClass(Kitten, "Kitten")).toBe("Kitten");
    expect(getRegisteredClass("Kitten")).toBe(Kitten);
    expect(registeredClassName(Kitten)).toBe("Kitten");
    expect(registeredClasses().get("Kitten")).toBe(Kitten);
  });

  it("refuses two different classes under one name", () => {
    class Dup {}
    registerClass(Dup, "Duplicate");
    const Other = class Dup {};
    expect(() => registerClass(Other, "Duplicate")).toThrow(TypeError);
    expect(() => registerClass(Other, "Duplicate")).toThrow(/already registered for another class/);
    expect(() => registerClass(Other)).not.toThrow(); // "Dup" itself is still free
  });

  it("refuses a second name for one class", () => {
    class Twice {}
    registerClass(Twice, "TwiceA");
    expect(() => registerClass(Twice, "TwiceB")).toThrow(/already registered as "TwiceA"/);
  });

  it("refuses built-ins and their subclasses, and things that are not classes", () => {
    class MyMap extends Map {}
    class MyError extends Error {}
    expect(() => registerClass(MyMap)).toThrow(/extends the built-in Map/);
    expect(() => registerClass(MyError)).toThrow(/Errors are stored without registration/);
    expect(() => registerClass(Date)).toThrow(TypeError);
    expect(() => registerClass(Object)).toThrow(TypeError);
    expect(() => registerClass({} as never)).toThrow(/must be a class/);
    expect(() => registerClass((() => 0) as never)).toThrow(/must be a class/);
  });

  it("needs a name for an anonymous class", () => {
    const anonymous = (() => class {})();
    expect(() => registerClass(anonymous)).toThrow(/has no name/);
    expect(registerClass(anonymous, "Anon")).toBe("Anon");
  });
});
