import { describe, expect, it } from 'vitest';
import type { EventRowForClient } from './client-events.ts';
import { UnreadCounts } from './push.ts';
import { RecentEvents } from './recent-events.ts';

function row(position: number, roomId = '!a:test', type = 'm.room.message'): EventRowForClient {
  return {
    stream_ordering: position,
    event_id: `$e${position}`,
    room_id: roomId,
    type,
    state_key: null,
    sender: '@alice:test',
    origin_server_ts: 1_000 + position,
    json: JSON.stringify({ content: { body: `message ${position}` } }),
    redacted_by: null,
    sender_device: null,
    txn_id: null,
  };
}

const positions = (events: ReturnType<RecentEvents['between']>) =>
  events?.map((event) => Number(event.row.stream_ordering));

describe('RecentEvents (a room’s latest events in memory for /sync)', () => {
  it('serves a token inside the window, and nothing it cannot vouch for', () => {
    const recent = new RecentEvents({ perRoom: 3 });
    expect(recent.between('!a:test', 0, 10)).toBeUndefined();
    recent.record(row(5), null, 2);
    recent.record(row(7), null, 5);
    // The window starts after the room's event before the first one this process appended.
    expect(positions(recent.between('!a:test', 2, 10))).toEqual([5, 7]);
    expect(positions(recent.between('!a:test', 5, 10))).toEqual([7]);
    expect(positions(recent.between('!a:test', 5, 6))).toEqual([]);
    expect(recent.between('!a:test', 1, 10)).toBeUndefined();
    // Dropping the oldest moves the window's start past it.
    recent.record(row(8), null, 7);
    recent.record(row(9), null, 8);
    expect(positions(recent.between('!a:test', 5, 10))).toEqual([7, 8, 9]);
    expect(recent.between('!a:test', 4, 10)).toBeUndefined();
    expect(recent.between('!b:test', 5, 10)).toBeUndefined();
  });

  it('marks an event related to by a later one, and restarts after a redaction', () => {
    const recent = new RecentEvents();
    recent.record(row(1), null, 0);
    recent.record(row(2), '$e1', 1);
    expect(recent.between('!a:test', 0, 10)?.map((event) => event.related)).toEqual([true, false]);

    recent.record(row(3, '!a:test', 'm.room.redaction'), null, 2);
    expect(recent.between('!a:test', 1, 10)).toBeUndefined();
    expect(positions(recent.between('!a:test', 2, 10))).toEqual([3]);

    recent.forget('!a:test');
    expect(recent.between('!a:test', 2, 10)).toBeUndefined();
    recent.record(row(12), null, 3);
    recent.clear();
    expect(recent.size).toEqual({ rooms: 0, events: 0 });
  });

  it('drops a room whose events come out of order, and restarts after another writer’s events', () => {
    const recent = new RecentEvents();
    recent.record(row(11), null, 4);
    recent.record(row(10), null, 4);
    expect(recent.between('!a:test', 4, 20)).toBeUndefined();
    recent.record(row(12), null, 11);
    expect(positions(recent.between('!a:test', 11, 20))).toEqual([12]);
    expect(recent.between('!a:test', 10, 20)).toBeUndefined();
    // Event 13 came from another process: 14 names it as the room's previous event.
    recent.record(row(14), null, 13);
    expect(positions(recent.between('!a:test', 13, 20))).toEqual([14]);
    expect(recent.between('!a:test', 12, 20)).toBeUndefined();
  });

  it('holds a bounded number of rooms', () => {
    const recent = new RecentEvents({ maxRooms: 2 });
    recent.record(row(1, '!a:test'), null, 0);
    recent.record(row(2, '!b:test'), null, 0);
    recent.record(row(3, '!c:test'), null, 0);
    expect(recent.between('!a:test', 0, 5)).toBeUndefined();
    expect(positions(recent.between('!c:test', 2, 5))).toEqual([3]);
    expect(recent.size.rooms).toBe(2);
  });
});

describe('UnreadCounts (unread counts in memory)', () => {
  const counts = (unread: UnreadCounts) =>
    Object.fromEntries(unread.get('@bob:test', '!a:test')?.byThread ?? new Map<string, unknown>());

  it('counts actions committed after the read, never one twice, and forgets on a receipt', () => {
    const unread = new UnreadCounts();
    const loading = unread.beginLoad();
    unread.set(
      '@bob:test',
      '!a:test',
      { asOf: 10, byThread: new Map([['main', { notification_count: 2, highlight_count: 0 }]]) },
      loading,
    );
    // An action the load counted already (position ≤ 10), then a new one.
    unread.add('@bob:test', '!a:test', 'main', false, 9);
    unread.add('@bob:test', '!a:test', 'main', true, 11);
    unread.add('@bob:test', '!a:test', '$root', false, 12);
    expect(counts(unread)).toEqual({
      main: { notification_count: 3, highlight_count: 1 },
      $root: { notification_count: 1, highlight_count: 0 },
    });
    unread.invalidate('@bob:test', '!a:test');
    expect(unread.get('@bob:test', '!a:test')).toBeUndefined();
  });

  it('does not keep a load that raced with a change', () => {
    const unread = new UnreadCounts();
    const loading = unread.beginLoad();
    unread.add('@bob:test', '!a:test', 'main', false, 11);
    unread.set('@bob:test', '!a:test', { asOf: 10, byThread: new Map() }, loading);
    expect(unread.get('@bob:test', '!a:test')).toBeUndefined();

    const again = unread.beginLoad();
    unread.clear();
    unread.set('@bob:test', '!a:test', { asOf: 12, byThread: new Map() }, again);
    expect(unread.get('@bob:test', '!a:test')).toBeUndefined();
    unread.set('@bob:test', '!a:test', { asOf: 12, byThread: new Map() }, unread.beginLoad());
    expect(unread.get('@bob:test', '!a:test')).toBeDefined();
  });
});
