/**
 * Phone numbers in reports (docs/design.md "Masking"): masked by default as `+1 ••••••0100`, in
 * full only with `--unmask`. A report is read by support staff and mailed around; the country code
 * and the last digits are enough to confirm a number with its owner ("the one ending 0100") without
 * handing out the number.
 *
 * Rules: the country code of an international number written `+{cc} {national}` stays; of the
 * national part, the last four digits stay and every other digit becomes `•` (punctuation and
 * spaces stay, so `(425) 555-0100` reads `(•••) •••-0100`); an extension keeps its marker and
 * loses every digit (`x•••`): a direct-dial extension identifies a person as well as a number
 * does. Numbers Graph already masked (`+1 XXXXXXXX00`) are shown with `•` for its mask characters.
 */

export const MASK_CHARACTER = '•';

/** Trailing digits left visible: what a person needs to recognise the number, the same as card receipts show. */
const VISIBLE_TRAILING_DIGITS = 4;

/**
 * A number shorter than twice VISIBLE_TRAILING_DIGITS shows only half its digits, so a short
 * number is never shown almost whole.
 */
const SHORT_NUMBER_DIGITS = 2 * VISIBLE_TRAILING_DIGITS;

/**
 * Digit runs in free text (finding messages, Graph's error messages) with fewer digits than this
 * are left alone: line numbers, counts, years and ports have fewer; a national number with its
 * area code has at least seven (ITU-T E.164 national significant numbers are rarely shorter).
 */
const MIN_PHONE_DIGITS_IN_TEXT = 7;

/** `+{cc}` and its separator, as Graph writes international numbers (`+44 7700900123`). */
const COUNTRY_CODE = /^(\s*\+\d{1,3}[\s.-]+)(.*)$/su;

/**
 * An extension at the end: `x123`, `ext 123`, `ext. 123`, `extension 123`, `;ext=123`. The marker
 * must follow a digit, space or punctuation, so the tail of Graph's mask run (`XXXXXXXX00`) is not
 * read as one (the same rule as src/plan/phone-numbers.ts). Its digits may be masked already.
 */
const EXTENSION = /^(.*[\d\s).-])(\s*(?:;ext=|ext(?:ension)?\.?|x)\s*)([\d•]+)\s*$/isu;

/** Characters Graph (or an earlier report) uses for a hidden digit. */
const HIDDEN_DIGIT = /[X*•●∗]/u;
/** A digit, shown or hidden. */
const DIGIT_POSITION = /[\dX*•●∗]/gu;

/**
 * A phone number inside text: optional `+`, digits with the separators people write, optional
 * extension. Not when glued to a letter, digit, `-`, `.` or `•` on either side, so GUIDs
 * (request-ids), serial numbers, dates inside timestamps and already masked numbers are not
 * matched.
 */
const PHONE_IN_TEXT = /(?<![\p{L}\p{N}_+.•-])\+?\(?\d[\d ().-]*\d(?:\s?(?:ext(?:ension)?\.?|x)\s?\d+)?(?![\p{L}\p{N}_•-])/giu;

/** Shapes of digit runs that are not phone numbers although long enough: a date, a GUID of digits only. */
const NOT_A_PHONE_NUMBER = [/^\d{4}-\d{2}-\d{2}$/u, /^\d{8}-\d{4}-\d{4}-\d{4}-\d{12}$/u];

/** How one output shows phone numbers: masked (the default everywhere) or in full (`--unmask`). */
export interface PhoneView {
  readonly unmasked: boolean;
  /** One phone number. */
  readonly phone: (phoneNumber: string) => string;
  /** Free text that may quote phone numbers (finding messages, Graph's error messages). */
  readonly text: (text: string) => string;
}

const MASKED_VIEW: PhoneView = { unmasked: false, phone: (value) => maskPhoneNumber(value), text: (value) => maskPhoneNumbersInText(value) };
const UNMASKED_VIEW: PhoneView = { unmasked: true, phone: (value) => value, text: (value) => value };

/** The view of `--unmask` (true) or of everything else (false). */
export function phoneView(unmask: boolean): PhoneView {
  return unmask ? UNMASKED_VIEW : MASKED_VIEW;
}

/** The masked form of one phone number (see the module comment). */
export function maskPhoneNumber(phoneNumber: string): string {
  let prefix = '';
  let rest = phoneNumber;
  const international = COUNTRY_CODE.exec(rest);
  if (international !== null) {
    prefix = international[1] ?? '';
    rest = international[2] ?? '';
  }
  let extension = '';
  const withExtension = EXTENSION.exec(rest);
  if (withExtension !== null) {
    rest = withExtension[1] ?? '';
    extension = `${withExtension[2] ?? ''}${MASK_CHARACTER.repeat((withExtension[3] ?? '').length)}`;
  }
  return `${prefix}${maskNationalPart(rest)}${extension}`;
}

function maskNationalPart(national: string): string {
  const positions = national.match(DIGIT_POSITION)?.length ?? 0;
  const visible = positions >= SHORT_NUMBER_DIGITS ? VISIBLE_TRAILING_DIGITS : Math.floor(positions / 2);
  let seen = 0;
  return national.replace(DIGIT_POSITION, (character) => {
    seen += 1;
    return HIDDEN_DIGIT.test(character) || seen <= positions - visible ? MASK_CHARACTER : character;
  });
}

/**
 * Masks every phone number in a sentence (finding messages quote numbers as the export wrote
 * them, e.g. `phone "(425) 555-0100" is not valid`). Heuristic by nature: runs of at least
 * MIN_PHONE_DIGITS_IN_TEXT digits are masked; GUIDs, serials and dates are left readable.
 */
export function maskPhoneNumbersInText(text: string): string {
  return text.replace(PHONE_IN_TEXT, (candidate) => {
    const number = EXTENSION.exec(candidate)?.[1] ?? candidate;
    const digits = number.replace(/\D/gu, '').length;
    if (digits < MIN_PHONE_DIGITS_IN_TEXT || NOT_A_PHONE_NUMBER.some((shape) => shape.test(candidate))) return candidate;
    return maskPhoneNumber(candidate);
  });
}
