/** A day as `<input type="date">` gives it (`YYYY-MM-DD`), in the person's time zone. */
export function dayOf(date: Date): string {
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** The day `days` after `from`. */
export function dayAfter(from: Date, days: number): string {
  const date = new Date(from);
  date.setDate(date.getDate() + days);
  return dayOf(date);
}

export type Expiry = { isValid: true; expiresAt: string | null } | { isValid: false };

/**
 * The end of a grant chosen as a day: the access lasts until the end of that day, in the person's time
 * zone (an ISO date-time for the API). No day: no end (null). A day past, malformed, or beyond `maxDays`
 * from today (links): not valid.
 */
export function expiryOf(day: string, today: Date, maxDays?: number): Expiry {
  if (day === '') return { isValid: true, expiresAt: null };
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!match) return { isValid: false };
  const end = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]), 23, 59, 59);
  if (Number.isNaN(end.getTime()) || dayOf(end) !== day || day < dayOf(today)) return { isValid: false };
  if (maxDays !== undefined && day > dayAfter(today, maxDays)) return { isValid: false };
  return { isValid: true, expiresAt: end.toISOString() };
}
