import { SideMenu } from '@codegouvfr/react-dsfr/SideMenu';
import type { ReactNode } from 'react';
import { useLocation } from 'react-router';
import { usePageTitle } from './page.ts';

/** A section with its own side menu (account, administration): the menu, then the page. */
export function SectionLayout(props: { title: string; items: { to: string; text: string }[]; children: ReactNode }) {
  const { pathname } = useLocation();
  return (
    <div className="fr-container fr-mt-2w fr-mb-8w">
      <div className="fr-grid-row fr-grid-row--gutters">
        <div className="fr-col-12 fr-col-md-3">
          <SideMenu
            align="left"
            burgerMenuButtonText={props.title}
            title={props.title}
            items={props.items.map((item) => ({
              text: item.text,
              linkProps: { to: item.to },
              isActive: pathname === item.to || pathname.startsWith(`${item.to}/`),
            }))}
          />
        </div>
        <div className="fr-col-12 fr-col-md-9">{props.children}</div>
      </div>
    </div>
  );
}

/** A page inside a section: its one h1 and its content. */
export function SectionPage(props: { title: string; intro?: ReactNode; children: ReactNode }) {
  usePageTitle(props.title);
  return (
    <>
      <h1 className="fr-mt-2w">{props.title}</h1>
      {props.intro && <p>{props.intro}</p>}
      {props.children}
    </>
  );
}
