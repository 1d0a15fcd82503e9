// Answers a student might type into lesson 03's exercises, shared by the Lab browser test and the
// Validate test: one wrong in a way the hints recognise (indices leaf first), and the right one.
export const LEAF_FIRST = `function splitAddress(
  address: number, indexBits: number[], offsetBits: number,
): { indices: number[]; offset: number } {
  const offset = address % 2 ** offsetBits;
  let rest = Math.floor(address / 2 ** offsetBits);
  const indices: number[] = [];
  for (let d = indexBits.length - 1; d >= 0; d--) {
    indices.push(rest % 2 ** indexBits[d]);
    rest = Math.floor(rest / 2 ** indexBits[d]);
  }
  return { indices, offset };
}`;
export const ROOT_FIRST = LEAF_FIRST.replace("indices.push(", "indices.unshift(");
