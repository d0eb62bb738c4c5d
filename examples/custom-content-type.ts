/**
 * A custom content type: a shopping cart ({ sku: quantity }) whose merge adds up each side's
 * quantity changes per item, so two devices editing one cart never conflict and never lose
 * an item. Registered by name with `registerContentType` (call it at start-up in every
 * process), attached to the "cart/" prefix with `setContentType`, used by a concurrent commit
 * and by a branch `merge`.
 *
 *   npx tsx examples/custom-content-type.ts
 */
import { store, registerContentType, MemoryStore, type ContentType, type MergeFn } from "kvgit";

type Cart = Record<string, number>;

/** Per item: base + (ours - base) + (theirs - base); items that reach 0 leave the cart. */
const mergeCarts: MergeFn<Cart> = (base = {}, ours = {}, theirs = {}) => {
  const out: Cart = {};
  for (const sku of new Set([...Object.keys(ours), ...Object.keys(theirs)])) {
    const qty = (ours[sku] ?? 0) + (theirs[sku] ?? 0) - (base[sku] ?? 0);
    if (qty > 0) out[sku] = qty;
  }
  return out;
};

const cartType: ContentType<Cart> = { name: "shopping-cart", merge: mergeCarts };
registerContentType(cartType); // findable by name: merge policies store only the name

const backend = new MemoryStore();
const laptop = await store({ backend });
laptop.setContentType("cart/", cartType, { prefix: true }); // stored with the branch at the next commit
laptop.set("cart/ada", { apple: 2 });
await laptop.commit({ message: "ada's cart" });

// A second device opens the same store: it finds the policy stored with the branch.
const phone = await store({ backend });
console.log(`phone: cart/ada merges with "${phone.getContentType("cart/ada")?.name}"`);

// Both devices edit the cart from the same starting point.
laptop.set("cart/ada", { ...(laptop.get("cart/ada") as Cart), bread: 1 });
phone.set("cart/ada", { ...(phone.get("cart/ada") as Cart), apple: 3, milk: 1 });
await laptop.commit({ message: "laptop: add bread" });
const r = await phone.commit({ message: "phone: one more apple, add milk" });
console.log(`phone commit: ${r.strategy}, auto-merged ${JSON.stringify(r.autoMergedKeys)}`);
console.log(`cart/ada = ${JSON.stringify(phone.get("cart/ada"))}`);

// The policy is copied to new branches, so a branch merge uses it too.
const promo = await phone.createBranch("promo");
promo.set("cart/ada", { ...(promo.get("cart/ada") as Cart), "free-gift": 1 });
await promo.commit({ message: "promo: free gift" });
phone.set("cart/ada", { ...(phone.get("cart/ada") as Cart), apple: 1 }); // ada removes two apples
await phone.commit({ message: "phone: fewer apples" });
const m = await phone.merge("promo");
console.log(`merge promo: ${m.strategy}, auto-merged ${JSON.stringify(m.autoMergedKeys)}`);
console.log(`cart/ada = ${JSON.stringify(phone.get("cart/ada"))}`);

await phone.close();
await laptop.close();
