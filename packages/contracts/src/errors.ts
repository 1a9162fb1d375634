import { z } from 'zod';

/** The error body of every Bureau API answer (outside protocol surfaces such as /_matrix and /v1). */
export const apiErrorSchema = z
  .object({
    error: z.object({
      code: z.string().describe('Stable code, e.g. VALIDATION_FAILED; clients branch on it.'),
      message: z.string().describe("Human-readable message in the request's language (French by default)."),
      details: z.record(z.string(), z.unknown()).optional().describe('Facts about the error, e.g. the invalid fields.'),
    }),
  })
  .meta({ id: 'ApiError' });

export type ApiError = z.infer<typeof apiErrorSchema>;
