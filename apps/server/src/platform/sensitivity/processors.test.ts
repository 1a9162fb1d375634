import { describe, expect, it } from 'vitest';
import { sensitivityLevels, type SensitivityLevel } from './levels.ts';
import { failClosedLabels, maxClearanceForHosting, mayProcess } from './processors.ts';

describe('mayProcess', () => {
  const expected: Record<SensitivityLevel, SensitivityLevel[]> = {
    public: ['public'],
    internal: ['public', 'internal'],
    sensitive: ['public', 'internal', 'sensitive'],
    restricted: ['public', 'internal', 'sensitive', 'restricted'],
  };

  for (const clearance of sensitivityLevels) {
    for (const level of sensitivityLevels) {
      const allowed = expected[clearance].includes(level);
      it(`${allowed ? 'lets' : 'keeps'} ${level} data ${allowed ? 'go to' : 'from'} a processor cleared up to ${clearance}`, () => {
        expect(mayProcess(clearance, [level])).toBe(allowed);
      });
    }
  }

  it('lets the most sensitive of several labels decide', () => {
    expect(mayProcess('internal', ['public', 'internal', 'public'])).toBe(true);
    expect(mayProcess('internal', ['public', 'sensitive', 'internal'])).toBe(false);
  });

  it('treats data without any label as public', () => {
    expect(mayProcess('public', [])).toBe(true);
  });

  it('treats a label it does not know as restricted, and a clearance it does not know as none', () => {
    expect(mayProcess('sensitive', ['secret' as SensitivityLevel])).toBe(false);
    expect(mayProcess('restricted', ['secret' as SensitivityLevel])).toBe(true);
    expect(mayProcess('top' as SensitivityLevel, ['public'])).toBe(false);
    expect(failClosedLabels(['public', 'secret', undefined])).toEqual({
      levels: ['public', 'restricted', 'restricted'],
      unknown: ['secret', undefined],
    });
  });

  it('reads its labels once, so a generator is enough', () => {
    function* labels(): Generator<SensitivityLevel> {
      yield 'internal';
      yield 'sensitive';
    }
    expect(mayProcess('sensitive', labels())).toBe(true);
  });
});

describe('maxClearanceForHosting', () => {
  it('follows the Cloud au centre doctrine', () => {
    expect(maxClearanceForHosting('public-cloud')).toBe('internal');
    expect(maxClearanceForHosting('secnumcloud')).toBe('sensitive');
    expect(maxClearanceForHosting('state-cloud')).toBe('sensitive');
    expect(maxClearanceForHosting('on-premises')).toBe('restricted');
  });
});
