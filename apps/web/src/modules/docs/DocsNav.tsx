import { Link, useLocation } from 'react-router';
import { useMessages } from '../../i18n.tsx';
import { docsMessages } from './docs.messages.ts';

/** The links between the documents' two places: the spaces (and their pages) and the trash. */
export function DocsNav() {
  const t = useMessages(docsMessages);
  const { pathname } = useLocation();
  const isTrash = pathname.startsWith('/documents/corbeille');
  const pages = [
    { to: '/documents', text: t.spacesTab, icon: 'fr-icon-file-text-line', isCurrent: !isTrash },
    { to: '/documents/corbeille', text: t.trashTab, icon: 'fr-icon-delete-line', isCurrent: isTrash },
  ];
  return (
    <nav aria-label={t.navigation} className="fr-mb-2w">
      <ul className="fr-btns-group fr-btns-group--inline-sm fr-btns-group--sm fr-btns-group--icon-left">
        {pages.map((page) => (
          <li key={page.to}>
            <Link
              to={page.to}
              className={`fr-btn fr-btn--sm ${page.icon} ${page.isCurrent ? 'fr-btn--secondary' : 'fr-btn--tertiary-no-outline'}`}
              aria-current={pathname === page.to ? 'page' : undefined}
            >
              {page.text}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
