import { sql } from 'kysely';
import { z } from 'zod';
import type { HttpServer } from '../../../platform/http/http-server.ts';
import type { MatrixPrincipal } from '../accounts.ts';
import type { ChatFeatureContext } from '../feature.ts';
import { parseMatrix } from '../matrix-validation.ts';
import type { DiscoveryTables } from './discovery.tables.ts';
import { containsPattern, foldForSearch, prefixPattern, searchTerms } from './search-text.ts';

const c = '/_matrix/client';
const hidden = { schema: { hide: true } } as const;

/** Accounts without a directory entry filled in by one search (the rest by the next ones, or at start). */
const lazyFillBatch = 100;
const fillInterval = 60_000;

export interface DirectoryResult {
  user_id: string;
  display_name?: string;
  avatar_url?: string;
}

/**
 * Bureau's user directory as Matrix clients search it (`POST /v3/user_directory/search`), the way Tchap's
 * "annuaire" works: every active agent of the instance can be found by name, e-mail local part, whole
 * e-mail address or Matrix ID, and so can the people who share a joined room with the searcher (externals
 * included). External users get no results at all; people who set `im.vector.hide_profile` (Tchap's red
 * list) and expired accounts never appear.
 *
 * The chat module does not read the identity module's tables: each user's kind, status and names are copied
 * into `chat_user_directory` from the identity events (created, updated, deactivated, merged) and Matrix
 * profile changes; accounts not seen yet are filled in from `identity.getUser` (at start, and before a
 * search at most once a minute). A search is then one query over that table.
 */
export function createUserDirectory(context: ChatFeatureContext) {
  const tables = () => context.database.executor.withTables<DiscoveryTables>();

  /**
   * Copies one Bureau user into the directory: kind, status, e-mail and the searchable text (Bureau and
   * Matrix display names, e-mail local part, Matrix localpart). Service accounts and users the identity
   * module no longer knows get an inactive entry (never found), so that the back-fill does not retry them.
   */
  async function refresh(userId: string): Promise<void> {
    const user = await context.identity.getUser(userId);
    const account = await context.accounts.accountOfUser(userId);
    const email = user?.email.toLowerCase() ?? '';
    const emailLocalPart = email.slice(0, Math.max(0, email.indexOf('@')));
    const names = [user?.display_name, account?.displayname, emailLocalPart, account?.localpart];
    const entry = {
      kind: user?.kind ?? 'unknown',
      is_active: user && user.kind !== 'service' && user.status === 'active' ? 1 : 0,
      search_text: user ? foldForSearch([...new Set(names.filter((name) => name))].join(' ')) : '',
      email,
      updated_at: context.clock.now().toISOString(),
    };
    await tables()
      .insertInto('chat_user_directory')
      .values({ user_id: userId, ...entry })
      .onConflict((conflict) => conflict.column('user_id').doUpdateSet(entry))
      .execute();
  }

  /** Fills in the entries of accounts the directory has not seen yet (created before it, or events missed). */
  async function fillMissing(limit: number): Promise<number> {
    const missing = await tables()
      .selectFrom('chat_accounts as a')
      .leftJoin('chat_user_directory as d', 'd.user_id', 'a.user_id')
      .select('a.user_id')
      .where('d.user_id', 'is', null)
      .limit(limit)
      .execute();
    for (const row of missing) await refresh(row.user_id);
    return missing.length;
  }

  // The identity events keep entries current; the back-fill is a safety net, run at most once a minute.
  let lastFilledAt = Number.NEGATIVE_INFINITY;
  async function fillMissingNowAndThen(): Promise<void> {
    const now = context.clock.now().getTime();
    if (now - lastFilledAt < fillInterval) return;
    lastFilledAt = now;
    await fillMissing(lazyFillBatch);
  }

  async function search(me: MatrixPrincipal, searchTerm: string, limit: number) {
    const searcher = await context.identity.getUser(me.account.user_id);
    // Tchap: external users cannot browse the directory.
    if (!searcher || searcher.kind !== 'agent') return { results: [], limited: false };
    const words = searchTerm
      .trim()
      .toLowerCase()
      .split(/\s+/)
      .filter((word) => word !== '')
      .slice(0, 8);
    const terms = searchTerms(searchTerm);
    if (terms.length === 0) return { results: [], limited: false };
    await fillMissingNowAndThen();
    const now = context.clock.now().toISOString();
    let query = tables()
      .selectFrom('chat_accounts as a')
      .innerJoin('chat_user_directory as d', 'd.user_id', 'a.user_id')
      .select(['a.matrix_id', 'a.displayname', 'a.avatar_url'])
      .where('d.is_active', '=', 1)
      .where((eb) => eb.or([eb('a.expires_at', 'is', null), eb('a.expires_at', '>', now)]))
      .where((eb) =>
        eb.or([
          eb('d.kind', '=', 'agent'),
          eb(
            'a.matrix_id',
            'in',
            eb
              .selectFrom('chat_current_state as mine')
              .innerJoin('chat_current_state as other', 'other.room_id', 'mine.room_id')
              .select('other.state_key')
              .where('mine.type', '=', 'm.room.member')
              .where('mine.state_key', '=', me.userId)
              .where('mine.membership', '=', 'join')
              .where('other.type', '=', 'm.room.member')
              .where('other.membership', '=', 'join'),
          ),
        ]),
      )
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('chat_account_data as h')
              .select('h.matrix_id')
              .whereRef('h.matrix_id', '=', 'a.matrix_id')
              .where('h.room_id', '=', '')
              .where('h.type', '=', 'im.vector.hide_profile')
              .where('h.content', 'like', '%"hide_profile":true%'),
          ),
        ),
      );
    terms.forEach((term, index) => {
      const word = words[index] ?? term;
      query = query.where((eb) => {
        const matches = [sql<boolean>`${sql.ref('d.search_text')} like ${containsPattern(term)} escape '\\'`];
        // A Matrix ID (or part of one with its server), and a whole e-mail address (Tchap invites by e-mail).
        if (word.startsWith('@') || word.includes(':')) {
          matches.push(sql<boolean>`${sql.ref('a.matrix_id')} like ${containsPattern(word)} escape '\\'`);
        } else if (word.includes('@')) {
          matches.push(sql<boolean>`${sql.ref('d.email')} = ${word}`);
        }
        return eb.or(matches);
      });
    });
    const first = terms[0] ?? '';
    const rows = await query
      .orderBy(sql`case when ${sql.ref('d.search_text')} like ${prefixPattern(first)} escape '\\' then 0 else 1 end`)
      .orderBy('d.search_text')
      .orderBy('a.matrix_id')
      .limit(limit + 1)
      .execute();
    const results: DirectoryResult[] = rows.slice(0, limit).map((row) => ({
      user_id: row.matrix_id,
      ...(row.displayname !== null ? { display_name: row.displayname } : {}),
      ...(row.avatar_url !== null ? { avatar_url: row.avatar_url } : {}),
    }));
    return { results, limited: rows.length > limit };
  }

  return {
    refresh,
    fillMissing,
    search,
    registerRoutes(http: HttpServer): void {
      http.post(`${c}/v3/user_directory/search`, hidden, async (request) => {
        const me = await context.authenticate(request);
        const body = parseMatrix(
          z.object({ search_term: z.string().max(512), limit: z.number().int().min(0).max(10_000).optional() }),
          request.body,
        );
        return search(me, body.search_term, Math.min(body.limit ?? 10, 100));
      });
    },
  };
}

export type UserDirectory = ReturnType<typeof createUserDirectory>;
