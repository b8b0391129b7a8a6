import { useTranslation } from 'react-i18next';
import {
  browserLanguage,
  currentLanguage,
  LANGUAGES,
  pickedLanguage,
  setLanguage,
  type Language,
} from '../lib/i18n.js';

/**
 * The header's language picker: each language named in itself, so anyone finds their own.
 * "Browser language" forgets a pick and follows the browser again.
 */
export function LanguagePicker() {
  const { t } = useTranslation();
  const value = pickedLanguage() ? currentLanguage() : '';
  return (
    <label className="language-picker">
      <span className="sr-only">{t('app.language')}</span>
      <select
        value={value}
        aria-label={t('app.language')}
        data-testid="language-picker"
        onChange={(e) => setLanguage((e.target.value || null) as Language | null)}
      >
        <option value="">{t('app.browserLanguage', { language: nameOf(browserLanguage()) })}</option>
        {LANGUAGES.map((language) => (
          <option key={language.code} value={language.code} lang={language.code}>
            {language.name}
          </option>
        ))}
      </select>
    </label>
  );
}

const nameOf = (code: Language) => LANGUAGES.find((l) => l.code === code)?.name ?? code;
