import { mentionsAgent } from './message-intake.service.js';

describe('mentionsAgent', () => {
  it.each([
    ['@tutor what is 2+2?', 'tutor', true],
    ['hey @Tutor, help', 'tutor', true],
    ['ask @ada please', 'ada', true],
    ['@tutor is the default name even when renamed', 'ada', true],
    ['no mention here', 'tutor', false],
    ['email me at me@tutor.org', 'tutor', false],
    ['@tutorial is not the tutor', 'tutor', false],
  ])('%j with agent %j → %j', (text, name, expected) => {
    expect(mentionsAgent(text, name)).toBe(expected);
  });
});
