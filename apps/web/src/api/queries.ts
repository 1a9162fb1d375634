import { QueryCache, QueryClient, useQuery } from '@tanstack/react-query';
import { api, ApiError, setCsrfToken } from './client.ts';
import type { AuthProviders, ExternalService, Instance, Me } from './types.ts';

/** Query keys shared by the shell and the modules. */
export const queryKeys = {
  instance: ['instance'] as const,
  me: ['me'] as const,
  providers: ['auth-providers'] as const,
  externalServices: ['workplace', 'services'] as const,
  unreadCount: ['notifications', 'unread-count'] as const,
  notifications: (filter: string) => ['notifications', 'list', filter] as const,
};

export function createQueryClient(): QueryClient {
  const client: QueryClient = new QueryClient({
    queryCache: new QueryCache({
      // A session that ended (revoked elsewhere, expired) shows the sign-in page on the next request.
      onError: (error, query) => {
        if (error instanceof ApiError && error.status === 401 && query.queryKey[0] !== 'me') {
          void client.invalidateQueries({ queryKey: queryKeys.me });
        }
      },
    }),
    defaultOptions: {
      queries: {
        staleTime: 30_000,
        retry: (failures, error) =>
          !(error instanceof ApiError && error.status >= 400 && error.status < 500) && failures < 2,
        refetchOnWindowFocus: false,
      },
    },
  });
  return client;
}

/** `GET /api/me`, or null when nobody is signed in. Keeps the CSRF token for later requests. */
export async function fetchMe(): Promise<Me | null> {
  try {
    const me = await api<Me>('/api/me');
    setCsrfToken(me.csrfToken);
    return me;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      setCsrfToken(null);
      return null;
    }
    throw error;
  }
}

export function useMe() {
  return useQuery({ queryKey: queryKeys.me, queryFn: fetchMe, staleTime: 60_000 });
}

export function useInstance() {
  return useQuery({
    queryKey: queryKeys.instance,
    queryFn: () => api<Instance>('/api/instance'),
    staleTime: 5 * 60_000,
  });
}

/** The external services of the app switcher (signed-in users), in the administrators' order. */
export function useExternalServices() {
  return useQuery({
    queryKey: queryKeys.externalServices,
    queryFn: async () => (await api<{ items: ExternalService[] }>('/api/workplace/services')).items,
    staleTime: 5 * 60_000,
  });
}

export function useAuthProviders() {
  return useQuery({
    queryKey: queryKeys.providers,
    queryFn: () => api<AuthProviders>('/api/auth/providers'),
    staleTime: 5 * 60_000,
  });
}
