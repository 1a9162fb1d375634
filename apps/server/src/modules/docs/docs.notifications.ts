import { z } from 'zod';
import type { NotificationService } from '../../platform/notifications/index.ts';

const commentParams = z.object({
  documentId: z.string(),
  documentTitle: z.string(),
  threadId: z.string(),
  excerpt: z.string(),
});

/** The notifications of documents: comments on a page one follows, and mentions in comments. */
export function defineDocsNotifications(notifications: NotificationService): void {
  const url = (params: z.infer<typeof commentParams>) =>
    `/documents/${params.documentId}?discussion=${params.threadId}`;
  notifications.defineType({
    type: 'docs.comment.mentioned',
    category: 'docs',
    label: { fr: 'Mention dans un commentaire', en: 'Mention in a comment' },
    defaultChannels: { inApp: true, email: true },
    params: commentParams,
    render(params, locale, { actor }) {
      const who = actor?.displayName ?? (locale === 'en' ? 'Someone' : 'Quelqu’un');
      return locale === 'en'
        ? { title: `${who} mentioned you on “${params.documentTitle}”`, body: params.excerpt || null, url: url(params) }
        : {
            title: `${who} vous a mentionné dans « ${params.documentTitle} »`,
            body: params.excerpt || null,
            url: url(params),
          };
    },
  });
  notifications.defineType({
    type: 'docs.comment.added',
    category: 'docs',
    label: { fr: 'Commentaire sur un document suivi', en: 'Comment on a followed document' },
    defaultChannels: { inApp: true, email: false },
    params: commentParams,
    render(params, locale, { actor }) {
      const who = actor?.displayName ?? (locale === 'en' ? 'Someone' : 'Quelqu’un');
      return locale === 'en'
        ? { title: `${who} commented on “${params.documentTitle}”`, body: params.excerpt || null, url: url(params) }
        : { title: `${who} a commenté « ${params.documentTitle} »`, body: params.excerpt || null, url: url(params) };
    },
  });
}
