import { RegExpMatcher, englishDataset, englishRecommendedTransformers } from 'obscenity';
import type { SafetyCategory, SafetyFinding, SafetySeverity } from '../contract/protocol.js';
import { findPersonalData } from './personal-data.js';
import { mergeFindings, type SafetyClassifier, type SafetyVerdict } from './safety-classifier.js';

type Rule = [SafetyCategory, SafetySeverity, RegExp];

const ME = "(?:i|i'm|im|i am|i've|ive|i have|i'll|ill|i will|i wanna|i want to|i'm going to|im going to|gonna)";
const PEOPLE =
  '(?:you|u|him|her|them|everyone|everybody|all of you|the teacher|my teacher|my (?:mom|dad|brother|sister)|people)';

/**
 * Curated phrases, English only. Each names a category and a severity. They look for
 * a person in the sentence ("kill you", "kill myself"), so "kill the process", "shoot
 * an email" or "the causes of the First World War" do not match. Recall is limited to
 * what is written here: see docs/SAFETY.md.
 */
const RULES: Rule[] = [
  // Self-harm: first person, intent or wish.
  ['self_harm', 'high', /\b(?:kill(?:ing)?|hurt(?:ing)?|cut(?:ting)?|harm(?:ing)?|starv(?:e|ing)) myself\b/],
  ['self_harm', 'high', /\b(?:end|take|ending|taking) my (?:own )?life\b/],
  [
    'self_harm',
    'high',
    /\b(?:i|i really|i just|i kinda|i sometimes) (?:want|wanna|wish) (?:to )?(?:die|be dead|disappear forever|not exist)\b/,
  ],
  ['self_harm', 'high', /\b(?:don'?t|do not|dont) want to (?:live|be alive|exist) (?:anymore|any more)\b/],
  [
    'self_harm',
    'high',
    /\b(?:no (?:reason|point) (?:to|in) (?:live|living)|better off (?:dead|without me)|(?:i'?m|i am) (?:going to|gonna) (?:jump|overdose))\b/,
  ],
  ['self_harm', 'high', /\b(?:i'?m|i am|i feel|feeling) suicidal\b|\bkms\b/],
  ['self_harm', 'high', /\b(?:i'?d|i would) rather (?:be dead|die)\b|\b(?:want|wanna|going) to end it(?: all)?\b/],
  [
    'self_harm',
    'high',
    /\b(?:wish|want) (?:i could |to )?(?:just )?(?:disappear (?:and|forever)|not exist|never wake up)\b/,
  ],
  ['self_harm', 'medium', /\bhate (?:my life|myself)\b|\bnobody would (?:care|notice) if i (?:died|was gone)\b/],
  [
    'self_harm',
    'medium',
    /\b(?:self[- ]?harm(?:ing)?|suicide (?:note|plan)|how (?:many|much) (?:pills|tablets)[\w\s]{0,30}(?:die|overdose|kill))\b/,
  ],
  ['self_harm', 'low', /\bsuicid(?:e|al)\b/],
  // Violence: threats against people, weapons at school.
  [
    'violence',
    'high',
    new RegExp(
      `\\b${ME} (?:going to |gonna |will |'ll )?(?:kill|murder|stab|shoot|strangle|hurt|beat up|punch|attack) ${PEOPLE}\\b`,
    ),
  ],
  [
    'violence',
    'high',
    /\b(?:shoot|blow) up (?:the|this|my|our) (?:school|class|classroom|building)\b|\bbring(?:ing)? (?:a |my )?(?:gun|knife|weapon|bomb)s? to (?:school|class)\b/,
  ],
  ['violence', 'high', new RegExp(`\\b(?:kill|murder|stab|shoot) ${PEOPLE}\\b(?! process)`)],
  [
    'violence',
    'medium',
    new RegExp(
      `\\b(?:watch your back|you(?:'re| are) (?:dead|gonna die)|i know where you live|(?:beat|punch|smash) ${PEOPLE}(?: up)?)\\b`,
    ),
  ],
  // Harassment and bullying.
  ['harassment', 'high', /\b(?:go|should|just) (?:just |go )?(?:kill|hang) (?:yourself|himself|herself|themselves)\b/],
  [
    'harassment',
    'high',
    /\b(?:kill|hang|cut) yourself\b|\bkys\b|\bgo (?:and )?die\b|\byou should (?:die|not exist|kill yourself)\b/,
  ],
  [
    'harassment',
    'medium',
    /\b(?:you(?:'re| are)|ur|u r) (?:so |such an? |a |an )?(?:stupid|ugly|fat|worthless|dumb|idiot|moron|loser|pathetic|disgusting|retarded|freak)\b/,
  ],
  [
    'harassment',
    'medium',
    /\b(?:nobody|no one|noone) (?:likes|loves|wants|cares about) you\b|\beveryone hates you\b|\bshut up,? (?:you )?(?:idiot|loser|moron|freak)\b/,
  ],
  // Sexual content.
  [
    'sexual',
    'high',
    /\b(?:send|show) (?:me )?(?:your |some |a )?(?:nudes?|naked (?:pics?|photos?|pictures?))\b|\bsext(?:ing)?\b/,
  ],
  ['sexual', 'medium', /\b(?:have|having|had) sex with\b|\bhorny\b|\bnsfw\b/],
];

/** obscenity's English words, by what they are: slurs are harassment, sexual terms sexual, the rest profanity. */
const SLURS = new Set([
  'abo',
  'abeed',
  'africoon',
  'arabush',
  'boonga',
  'chingchong',
  'chink',
  'dyke',
  'fag',
  'kike',
  'negro',
  'nigger',
  'retard',
  'spastic',
  'tranny',
]);
const SEXUAL = new Set([
  'anal',
  'bestiality',
  'blowjob',
  'buttplug',
  'cum',
  'deepthroat',
  'dildo',
  'doggystyle',
  'double penetration',
  'ejaculate',
  'felch',
  'fellatio',
  'finger bang',
  'fisting',
  'gangbang',
  'handjob',
  'hentai',
  'incest',
  'jerk off',
  'jizz',
  'lubejob',
  'masturbate',
  'orgasm',
  'orgy',
  'porn',
  'rape',
  'semen',
]);
/** Anatomy and biology a class discusses: not profanity. */
const CLASSROOM_WORDS = new Set(['anus', 'penis', 'vagina', 'sex', 'scat']);
const STRONG = new Set(['cunt', 'fuck', 'motherfucker']);

const matcher = new RegExpMatcher({ ...englishDataset.build(), ...englishRecommendedTransformers });

/**
 * The offline classifier: obscenity's English word list (with its variant matching:
 * "fuuuck", "f.u.c.k"), the phrase rules above, and the personal-data detectors.
 * Weaker than a model: English only, no sarcasm or context, and no score.
 */
export class OfflineSafetyClassifier implements SafetyClassifier {
  readonly name = 'offline';

  async classify(text: string): Promise<SafetyVerdict> {
    return { checked: true, findings: this.findingsOf(text), classifier: this.name };
  }

  findingsOf(text: string): SafetyFinding[] {
    const findings: SafetyFinding[] = [];
    const lower = text.toLowerCase().replace(/[’‘]/g, "'");
    for (const [category, severity, re] of RULES) if (re.test(lower)) findings.push({ category, severity });
    for (const match of matcher.getAllMatches(text)) {
      const word = englishDataset.getPayloadWithPhraseMetadata(match).phraseMetadata?.originalWord ?? '';
      if (CLASSROOM_WORDS.has(word)) continue;
      if (SLURS.has(word)) findings.push({ category: 'harassment', severity: 'high' });
      else if (SEXUAL.has(word)) findings.push({ category: 'sexual', severity: 'medium' });
      else findings.push({ category: 'profanity', severity: STRONG.has(word) ? 'medium' : 'low' });
    }
    if (findPersonalData(text).length > 0) findings.push({ category: 'personal_data', severity: 'medium' });
    return mergeFindings(findings);
  }
}
