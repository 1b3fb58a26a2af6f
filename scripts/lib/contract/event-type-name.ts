/**
 * The one well-formed event type that no contract may define: the tests (TypeScript, Python and
 * the shared vectors) use it as "a type this contract does not know", so adding any real type
 * never turns an unknown-type fixture into a known one.
 *
 * @example
 * validateEnvelope({ ...event, eventType: UNKNOWN_EVENT_TYPE_FIXTURE }).known; // false
 */
export const UNKNOWN_EVENT_TYPE_FIXTURE = 'fixture.never_defined';

/**
 * The PascalCase stem of an event type's schema titles and models: `order.shipped` ->
 * `OrderShipped` (then `OrderShippedPayload`, `OrderShippedEvent`).
 *
 * @example
 * pascalName('user.signed_up'); // 'UserSignedUp'
 */
export const pascalName = (eventType: string): string =>
  eventType.split(/[._]/).map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');

/**
 * The naming rule of event types, `<aggregate>.<past-tense-verb>`, as one function that says
 * which part of the rule a name breaks (or `undefined` when it keeps it). Shared by `check` and
 * `new-event`, so both refuse the same names with the same words.
 *
 * @example
 * eventTypeNameProblem('order.ship'); // '"ship" is not a past-tense verb: ...'
 * eventTypeNameProblem('order.shipped'); // undefined
 */
export function eventTypeNameProblem(name: string): string | undefined {
  if (name === UNKNOWN_EVENT_TYPE_FIXTURE) return `"${name}" is reserved for the tests: it is the event type no contract defines`;
  if (!name.includes('.')) return `"${name}" has one segment; an event type is <aggregate>.<past-tense-verb>, e.g. ${name || 'order'}.shipped`;
  const segments = name.split('.');
  if (segments.length !== 2) return `"${name}" has ${segments.length} segments; an event type has exactly two: <aggregate>.<past-tense-verb>`;
  if (/[A-Z]/.test(name)) return `"${name}" has uppercase letters; segments are lowercase snake_case (e.g. ${name.toLowerCase()})`;
  for (const segment of segments) {
    if (!SEGMENT.test(segment)) {
      return `segment "${segment}" breaks the rule: a lowercase letter, then lowercase letters and digits, with single "_" between words`;
    }
  }
  if (name.length > 64) return `"${name}" has ${name.length} characters; at most 64`;
  const verb = segments[1]!;
  // A major version of a type is a new type with a _v<N> suffix: the verb is what precedes it.
  const words = verb.replace(/_v[0-9]+$/, '').split('_');
  if (!words.some(isPastTense)) {
    return `"${verb}" is not a past-tense verb: an event names a fact that happened ("order.shipped", not "order.ship"); regular -ed forms and the common irregular ones ("sent", "paid") are recognised`;
  }
  return undefined;
}

const SEGMENT = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/;

/**
 * Whether a lowercase word is a past-tense (or past-participle) verb form: a regular `-ed` form,
 * or one of the irregular forms below.
 *
 * @example
 * isPastTense('verified'); // true
 * isPastTense('sent'); // true
 * isPastTense('ship'); // false
 */
export function isPastTense(word: string): boolean {
  if (IRREGULAR.has(word)) return true;
  return word.length >= 4 && word.endsWith('ed') && !NOT_PAST.has(word);
}

// Words ending in -ed that are not past forms.
const NOT_PAST = new Set(['need', 'seed', 'feed', 'speed', 'weed', 'heed', 'breed', 'bleed', 'embed', 'greed', 'steed', 'tweed', 'creed', 'shred', 'sled', 'bled', 'hundred', 'sacred', 'naked', 'wicked', 'kindred']);

// Irregular past tenses and past participles of the verbs events tend to use.
const IRREGULAR = new Set(
  (
    'arisen arose awoke awoken beat beaten became begun began bent bet bid bitten bit blew blown bought ' +
    'brought broke broken built burnt burst cast caught chose chosen clung come came cost crept cut dealt ' +
    'did done drawn drew dreamt drank drunk drove driven dug ate eaten fallen fell fought found fled flung ' +
    'flew flown forbade forbidden forgot forgotten forgave forgiven froze frozen got gotten gave given went gone ' +
    'ground grew grown hung had heard hid hidden hit held hurt kept knelt knew known laid led leant leapt left ' +
    'lent let lay lain lit lost made meant met mislaid misled mistook mistaken overcame overcome overdone ' +
    'overrode overridden overran overrun oversaw overseen overtook overtaken paid proven put quit read rebuilt ' +
    'redone remade repaid reran rerun reset resent reread resold retold rewritten rewrote rid ridden rode rang rung rose risen ' +
    'ran run said saw seen sought sold sent set sewn shaken shook shone shot shown shrank shrunk shut sang sung ' +
    'sank sunk sat slept slid slung slit spoke spoken spent spun spread sprang sprung stood stole stolen stuck ' +
    'stung stank stunk struck strung strove striven swore sworn swept swam swum swung took taken taught tore torn ' +
    'told thought threw thrown thrust understood undertook undertaken undid undone unwound upheld upset woke woken ' +
    'wore worn wove woven wept won wound withdrew withdrawn withheld withstood wrung wrote written ' +
    'built rebuilt bound found ground wound sped lit fed bred led bled fled shed spat split spilt'
  ).split(/\s+/),
);
