import { useLocale } from '../../i18n.tsx';

export interface DailyBarChartProps {
  /** One entry per day (`YYYY-MM-DD`, UTC), oldest first. */
  days: ReadonlyArray<{ day: string; values: readonly number[] }>;
  /** The table's caption (the chart's title). */
  caption: string;
  /** "Maximum: N", above the bars. */
  maximumLabel: (maximum: string) => string;
  dayHeader: string;
  /** The headers of `values`; the bars show the first. */
  valueHeaders: readonly string[];
}

/**
 * Figures per day as bars (plain SVG, hidden from assistive technologies) and the same figures in a table
 * that only they read. The colours are DSFR's, so they follow the light and dark themes. Used by Albert's
 * usage and impact pages.
 */
export function DailyBarChart({ days, caption, maximumLabel, dayHeader, valueHeaders }: DailyBarChartProps) {
  const { locale } = useLocale();
  const number = new Intl.NumberFormat(locale);
  const maximum = Math.max(1, ...days.map((entry) => entry.values[0] ?? 0));
  const slot = 10;
  const width = days.length * slot;
  const short = new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short', timeZone: 'UTC' });
  const long = new Intl.DateTimeFormat(locale, { dateStyle: 'full', timeZone: 'UTC' });
  const dayOf = (day: string) => new Date(`${day}T00:00:00Z`);
  const first = days[0];
  const last = days.at(-1);
  return (
    <div className="fr-mb-2w">
      <div aria-hidden="true">
        <p className="bureau-meta fr-mb-1v">{maximumLabel(number.format(maximum))}</p>
        <svg viewBox={`0 0 ${width} 100`} preserveAspectRatio="none" width="100%" height="160" focusable="false">
          {days.map((entry, index) => {
            const value = entry.values[0] ?? 0;
            const height = (value / maximum) * 100;
            return value === 0 ? null : (
              <rect
                key={entry.day}
                x={index * slot + 1}
                y={100 - height}
                width={slot - 2}
                height={height}
                style={{ fill: 'var(--background-action-high-blue-france)' }}
              />
            );
          })}
          <rect x={0} y={99.4} width={width} height={0.6} style={{ fill: 'var(--border-plain-grey)' }} />
        </svg>
        {first && last && (
          <p className="bureau-meta bureau-actions bureau-actions--spread">
            <span>{short.format(dayOf(first.day))}</span>
            <span>{short.format(dayOf(last.day))}</span>
          </p>
        )}
      </div>
      <table className="fr-sr-only">
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{dayHeader}</th>
            {valueHeaders.map((header) => (
              <th key={header} scope="col">
                {header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {days.map((entry) => (
            <tr key={entry.day}>
              <th scope="row">{long.format(dayOf(entry.day))}</th>
              {entry.values.map((value, index) => (
                <td key={valueHeaders[index] ?? index}>{number.format(value)}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
