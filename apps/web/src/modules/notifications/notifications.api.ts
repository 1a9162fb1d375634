import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { api } from '../../api/client.ts';
import { queryKeys } from '../../api/queries.ts';
import type { NotificationItem, Page } from '../../api/types.ts';

/**
 * The notification inbox's client: unread count, lists, marking read, and the live stream
 * (Server-Sent Events). While the server has no notifications API (404), every call fails quietly
 * and the bell shows no count.
 */
export function useUnreadCount(enabled: boolean) {
  return useQuery({
    queryKey: queryKeys.unreadCount,
    queryFn: () => api<{ count: number }>('/api/notifications/unread-count'),
    enabled,
    retry: false,
    staleTime: 60_000,
  });
}

export function useNotifications(filter: { unread: boolean; limit: number }, enabled = true) {
  return useQuery({
    queryKey: queryKeys.notifications(`${filter.unread ? 'unread' : 'all'}:${filter.limit}`),
    queryFn: () =>
      api<Page<NotificationItem>>('/api/notifications', {
        query: { unread: filter.unread ? 'true' : undefined, limit: filter.limit },
      }),
    enabled,
    retry: false,
  });
}

export function useMarkRead() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api<unknown>(`/api/notifications/${encodeURIComponent(id)}/read`, { method: 'POST' }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ['notifications'] }),
  });
}

export function useMarkAllRead() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => api<unknown>('/api/notifications/read-all', { method: 'POST' }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ['notifications'] }),
  });
}

function parseData<T>(event: Event): T | undefined {
  if (!(event instanceof MessageEvent) || typeof event.data !== 'string') return undefined;
  try {
    return JSON.parse(event.data) as T;
  } catch {
    return undefined;
  }
}

/**
 * Listens to `GET /api/notifications/stream` while `enabled` (signed in and the inbox exists):
 * `notification` events refresh the lists and are announced through `onNotification`,
 * `unread-count` events set the bell's count.
 */
export function useNotificationStream(enabled: boolean, onNotification: (item: NotificationItem) => void): void {
  const queryClient = useQueryClient();
  // The latest callback (it changes with the language) without reconnecting.
  const onNotificationRef = useRef(onNotification);
  onNotificationRef.current = onNotification;
  useEffect(() => {
    if (!enabled || typeof EventSource === 'undefined') return undefined;
    const source = new EventSource('/api/notifications/stream', { withCredentials: true });
    source.addEventListener('notification', (event) => {
      const item = parseData<NotificationItem>(event);
      if (!item) return;
      void queryClient.invalidateQueries({ queryKey: ['notifications', 'list'] });
      onNotificationRef.current(item);
    });
    source.addEventListener('unread-count', (event) => {
      const count = parseData<{ count: number }>(event);
      if (count && typeof count.count === 'number') queryClient.setQueryData(queryKeys.unreadCount, count);
    });
    return () => source.close();
  }, [enabled, queryClient]);
}
