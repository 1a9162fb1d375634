import { Table, type TableProps } from '@codegouvfr/react-dsfr/Table';

/**
 * A DSFR table inside a region that scrolls sideways on narrow screens. The region is focusable and
 * named, so keyboard users can scroll it too (WCAG 2.1.1; axe `scrollable-region-focusable`).
 */
export function ScrollTable(props: TableProps & { caption: string }) {
  return (
    <div className="bureau-table-scroll" tabIndex={0} role="region" aria-label={props.caption}>
      <Table {...props} noScroll />
    </div>
  );
}
