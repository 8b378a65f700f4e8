//! Unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters whose last one is a
//! check character over the first 17. The server checks too; this gives instant feedback.

const CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

export type UsccProblem = 'length' | 'charset' | 'check';

/** The check character for the first 17 characters, or null if one is not in the charset. */
export function usccCheckChar(first17: string): string | null {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const value = CHARSET.indexOf(first17.charAt(i));
    if (value < 0) return null;
    sum += value * (WEIGHTS[i] ?? 0);
  }
  return CHARSET.charAt((31 - (sum % 31)) % 31);
}

/** null when valid, else what is wrong. Expects upper case (the form upper-cases input). */
export function usccProblem(code: string): UsccProblem | null {
  if (code.length !== 18) return 'length';
  for (const ch of code) if (!CHARSET.includes(ch)) return 'charset';
  return usccCheckChar(code.slice(0, 17)) === code.charAt(17) ? null : 'check';
}
