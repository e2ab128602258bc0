"""What the hotline says, in the caller's language (and to operators, in the coalition's)."""

from __future__ import annotations

from vecinos.i18n import N_

# Twilio's <Say> voices for the languages the rights kit has; a language without one is not
# offered on the phone (its rights are on the web and by SMS).
SAY_LANGUAGES: dict[str, str] = {
    "es": "es-MX",
    "en": "en-US",
    "zh-Hans": "cmn-CN",
    "ko": "ko-KR",
    "vi": "vi-VN",
    "tl": "fil-PH",
    "ru": "ru-RU",
}

CHOOSE_LANGUAGE = N_("For English, press {digit}.")
MENU = N_(
    "Press 1 if something is happening now. Press 2 to leave a message about something that"
    " already happened. Press 3 to hear your rights. Press 0 to hear this again."
)
NOT_OFFERED = N_("That key is not an option.")
NO_CHOICE = N_("We did not hear a choice. Please call again. Goodbye.")
CONNECTING = N_("We are calling a volunteer for you. Please stay on the line.")
NOBODY_FREE = N_("Nobody could answer right now.")
LEAVE_MESSAGE = N_(
    "After the tone, say what you saw, where and when. You do not need to say your name."
    " Press the pound key when you are done."
)
MESSAGE_THANKS = N_("Thank you. Volunteers will listen to your message. Goodbye.")
NO_MESSAGE = N_("We did not hear a message. Goodbye.")
WHISPER = N_("{coalition} hotline, {language} caller. Press 1 to take the call.")
TAKEN = N_("Another volunteer took this call. Thank you.")
CAPTCHA = N_("To continue, press these digits: {digits}.")
CAPTCHA_WRONG = N_("Those were not the digits. Goodbye.")
BANNED = N_("This line cannot take your call. Goodbye.")
TOO_MANY = N_("You have called many times in a short while. Please try again later. Goodbye.")
SATURATED = N_(
    "All our volunteers are busy with other calls. If something is happening now, send a text"
    " with the word REPORT to this number, or call again in a few minutes. Goodbye."
)
