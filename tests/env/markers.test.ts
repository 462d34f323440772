import { describe, expect, it } from 'vitest';
import { evaluateMarker } from '../../src/env/markers.js';

const linux311 = { python_version: '3.11', python_full_version: '3.11.7', sys_platform: 'linux', platform_system: 'Linux', platform_machine: 'x86_64', os_name: 'posix' };

describe('PEP 508 markers', () => {
  it.each([
    ['python_version < "3.12"', true],
    ["python_version >= '3.12'", false],
    ['python_version > "3.9"', true],
    ['python_full_version >= "3.11.7"', true],
    ['sys_platform == "linux" and platform_machine == "x86_64"', true],
    ['sys_platform == "darwin" or python_version < "3.10"', false],
    ['(sys_platform == "darwin" or sys_platform == "linux") and python_version == "3.11"', true],
    ['"linux" in sys_platform', true],
    ['"win" not in sys_platform', true],
    ['os.name == "posix"', true],
    ['python_version == "3.11.*"', true],
  ])('%s → %s', (marker, expected) => {
    expect(evaluateMarker(marker, linux311)).toBe(expected);
  });

  it('is undefined when a variable is unknown, unless the other operand decides', () => {
    expect(evaluateMarker('python_version < "3.10"', {})).toBeUndefined();
    expect(evaluateMarker('python_version < "3.10" and sys_platform == "win32"', { sys_platform: 'linux' })).toBe(false);
    expect(evaluateMarker('python_version < "3.10" or sys_platform == "linux"', { sys_platform: 'linux' })).toBe(true);
    expect(evaluateMarker('extra == "gpu"', linux311)).toBeUndefined();
  });

  it('is undefined for malformed markers', () => {
    expect(evaluateMarker('python_version <', linux311)).toBeUndefined();
    expect(evaluateMarker('(python_version < "3.12"', linux311)).toBeUndefined();
    expect(evaluateMarker('', linux311)).toBeUndefined();
  });
});
