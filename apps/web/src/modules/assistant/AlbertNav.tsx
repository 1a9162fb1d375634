import { Link, useLocation } from 'react-router';
import { useMessages } from '../../i18n.tsx';
import { assistantMessages } from './assistant.messages.ts';

/** The links between Albert's two parts: conversations and collections. */
export function AlbertNav() {
  const t = useMessages(assistantMessages);
  const { pathname } = useLocation();
  const isCollections = pathname.startsWith('/albert/collections');
  const pages = [
    { to: '/albert', text: t.conversationsTab, isCurrent: !isCollections },
    { to: '/albert/collections', text: t.collectionsTab, isCurrent: isCollections },
  ];
  return (
    <nav aria-label={t.navigation} className="fr-mb-2w">
      <ul className="fr-btns-group fr-btns-group--inline-sm fr-btns-group--sm">
        {pages.map((page) => (
          <li key={page.to}>
            <Link
              to={page.to}
              className={`fr-btn fr-btn--sm ${page.isCurrent ? 'fr-btn--secondary' : 'fr-btn--tertiary-no-outline'}`}
              aria-current={page.isCurrent ? 'page' : undefined}
            >
              {page.text}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
