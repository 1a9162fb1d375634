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
