import type { Locale } from '../errors.ts';
import type { DigestFrequency } from './notifications.repository.ts';

/** When digests go out: daily at `hourUtc`, weekly on `weekday` (0 Sunday ... 6 Saturday) at `hourUtc`. */
export interface DigestSchedule {
  readonly hourUtc: number;
  readonly weekday: number;
}

/** 06:00 UTC is 07:00 in Paris in winter, 08:00 in summer; weekly digests go out on Mondays. */
export const defaultDigestSchedule: DigestSchedule = { hourUtc: 6, weekday: 1 };

const hourMs = 3_600_000;
const dayMs = 24 * hourMs;

/** The first digest time strictly after `now` for `frequency` ('off' has none). */
export function nextDigestAt(now: Date, frequency: DigestFrequency, schedule: DigestSchedule): Date | undefined {
  if (frequency === 'off') return undefined;
  const candidate = new Date(now.getTime());
  candidate.setUTCHours(schedule.hourUtc, 0, 0, 0);
  if (candidate.getTime() <= now.getTime()) candidate.setTime(candidate.getTime() + dayMs);
  if (frequency === 'weekly') {
    const daysAhead = (schedule.weekday - candidate.getUTCDay() + 7) % 7;
    candidate.setTime(candidate.getTime() + daysAhead * dayMs);
  }
  return candidate;
}

/** One notification as listed in a digest. */
export interface DigestEntry {
  readonly title: string;
  readonly body: string | null;
  /** Absolute. */
  readonly url: string | null;
  readonly createdAt: string;
}

/** Notifications listed in one digest; the others are counted. */
export const digestListLimit = 50;

const texts = {
  fr: {
    subject: (count: number) =>
      count === 1 ? 'Bureau : 1 notification non lue' : `Bureau : ${count} notifications non lues`,
    greeting: (name: string) => `Bonjour ${name},`,
    intro: (count: number) =>
      count === 1
        ? 'Une notification vous attend dans Bureau :'
        : `${count} notifications vous attendent dans Bureau :`,
    more: (count: number) => (count === 1 ? '… et 1 autre.' : `… et ${count} autres.`),
    inbox: (url: string) => `Toutes vos notifications : ${url}`,
    settings: 'Vous recevez ce récapitulatif selon vos préférences de notification, modifiables depuis la même page.',
  },
  en: {
    subject: (count: number) =>
      count === 1 ? 'Bureau: 1 unread notification' : `Bureau: ${count} unread notifications`,
    greeting: (name: string) => `Hello ${name},`,
    intro: (count: number) =>
      count === 1
        ? 'A notification is waiting for you in Bureau:'
        : `${count} notifications are waiting for you in Bureau:`,
    more: (count: number) => (count === 1 ? '… and 1 more.' : `… and ${count} more.`),
    inbox: (url: string) => `All your notifications: ${url}`,
    settings:
      'You receive this digest because of your notification preferences, which you can change on the same page.',
  },
} as const;

/** The subject and plain-text body of a digest, in the recipient's language. */
export function renderDigest(input: {
  locale: Locale;
  displayName: string;
  entries: readonly DigestEntry[];
  inboxUrl: string;
}): { subject: string; text: string } {
  const t = texts[input.locale];
  const listed = input.entries.slice(0, digestListLimit);
  const lines = [t.greeting(input.displayName), '', t.intro(input.entries.length), ''];
  for (const entry of listed) {
    // One line per field: titles and bodies are the producers' plain text, never markup.
    lines.push(`- ${singleLine(entry.title)}`);
    if (entry.body) lines.push(`  ${singleLine(entry.body)}`);
    if (entry.url) lines.push(`  ${entry.url}`);
  }
  if (input.entries.length > listed.length) lines.push('', t.more(input.entries.length - listed.length));
  lines.push('', t.inbox(input.inboxUrl), '', t.settings);
  return { subject: t.subject(input.entries.length), text: `${lines.join('\n')}\n` };
}

function singleLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
