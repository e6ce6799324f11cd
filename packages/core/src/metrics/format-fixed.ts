/**
 * `x` with `digits` decimals exactly as Python's `format(x, ".{digits}f")` writes it. JavaScript's
 * `toFixed` rounds correctly too, except on exact binary ties, which it rounds away from zero where
 * Python rounds half to even (0.015625 -> "0.01562" in Python, "0.01563" from `toFixed(5)`).
 */
export function formatFixed(x: number, digits: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? "nan" : x > 0 ? "inf" : "-inf";
  const magnitude = Math.abs(x);
  const sign = x < 0 || Object.is(x, -0) ? "-" : "";
  // A double is a tie at `digits` decimals iff it is an odd multiple of 2^-(digits + 1):
  // x * 10^d * 2 = M * 5^d * 2^(E + d + 1) for odd M, an odd integer only when E = -(d + 1).
  const scaled = magnitude * 2 ** (digits + 1);
  if (!Number.isInteger(scaled) || scaled % 2 === 0) return sign + magnitude.toFixed(digits);
  const lower = (BigInt(scaled) * 5n ** BigInt(digits) - 1n) / 2n;
  const even = lower % 2n === 0n ? lower : lower + 1n;
  const text = even.toString().padStart(digits + 1, "0");
  const units = text.slice(0, text.length - digits);
  return digits === 0 ? sign + units : `${sign}${units}.${text.slice(text.length - digits)}`;
}
