import { z } from 'zod';

export const supportedLocales = ['fr', 'en'] as const;
export type SupportedLocale = (typeof supportedLocales)[number];

/** What an instance says about itself to anyone, before sign-in (`GET /api/instance`). */
export const instanceInfoSchema = z
  .object({
    name: z.string().describe("The administration's name."),
    publicUrl: z.string(),
    version: z.string(),
    defaultLocale: z.enum(supportedLocales),
    locales: z.array(z.enum(supportedLocales)),
  })
  .meta({ id: 'InstanceInfo' });

export type InstanceInfo = z.infer<typeof instanceInfoSchema>;

/** A service outside Bureau that administrators add to the app switcher ("gaufre"). */
export const externalServiceSchema = z
  .object({
    id: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'lettres minuscules, chiffres et tirets')
      .describe('A short stable name: lower-case letters, digits, dashes.'),
    name: z.string().trim().min(1).max(60),
    url: z
      .url({ protocol: /^https?$/ })
      .max(500)
      .describe('Where the service opens (http or https).'),
    description: z.string().trim().max(200).nullable().default(null),
  })
  .meta({ id: 'ExternalService' });

export type ExternalService = z.infer<typeof externalServiceSchema>;

/** At most this many external services in the app switcher. */
export const maxExternalServices = 30;

export const externalServicesSchema = z
  .object({
    items: z
      .array(externalServiceSchema)
      .max(maxExternalServices)
      .refine((items) => new Set(items.map((item) => item.id)).size === items.length, 'identifiants en double'),
  })
  .meta({ id: 'ExternalServices' });
