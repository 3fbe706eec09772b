// Bluetooth SIG company identifiers (Assigned Numbers, "Company Identifiers"), the ones met most often in the field.
// Names as Wireshark 4.0 prints them (epan/dissectors/packet-bluetooth.c bluetooth_company_id_vals). Unlisted ids
// decode to their number.

import type { ValueNames } from "./field.js";

export const COMPANY_MICROSOFT = 0x0006, COMPANY_APPLE = 0x004c, COMPANY_NORDIC = 0x0059, COMPANY_SAMSUNG = 0x0075,
  COMPANY_GOOGLE = 0x00e0, COMPANY_TEST = 0xffff;

/** btcommon.eir_ad.entry.company_id and btle.control.company_id names. */
export const COMPANY_IDS: ValueNames = {
  0x0000: "Ericsson Technology Licensing", 0x0001: "Nokia Mobile Phones", 0x0002: "Intel Corp.", 0x0003: "IBM Corp.",
  0x0004: "Toshiba Corp.", 0x0005: "3Com", 0x0006: "Microsoft", 0x0007: "Lucent", 0x0008: "Motorola",
  0x000a: "Qualcomm Technologies International, Ltd. (QTIL)", 0x000d: "Texas Instruments Inc.", 0x000f: "Broadcom Corporation",
  0x001d: "Qualcomm", 0x0030: "ST Microelectronics", 0x003f: "Bluetooth SIG, Inc", 0x0046: "MediaTek, Inc.",
  0x004c: "Apple, Inc.", 0x0057: "Harman International Industries, Inc.", 0x0059: "Nordic Semiconductor ASA",
  0x005d: "Realtek Semiconductor Corporation", 0x0065: "HP, Inc.", 0x006b: "Polar Electro OY", 0x0075: "Samsung Electronics Co. Ltd.",
  0x0078: "Nike, Inc.", 0x0087: "Garmin International, Inc.", 0x008a: "Jawbone", 0x009e: "Bose Corporation",
  0x00c4: "LG Electronics", 0x00d2: "Dialog Semiconductor B.V.", 0x00e0: "Google", 0x00f0: "Ford Motor Company",
  0x0101: "Fugoo, Inc.", 0x010f: "Xiaomi Inc.", 0x0131: "Cypress Semiconductor", 0x0157: "Anhui Huami Information Technology Co., Ltd.",
  0x0160: "AwoX", 0x0171: "Amazon.com Services, LLC", 0x0183: "Fitbit, Inc.", 0x01a9: "Canon Inc.",
  0x01da: "Logitech International SA", 0x0222: "Tile, Inc.", 0x027d: "HUAWEI Technologies Co., Ltd.",
  0x02e5: "Espressif Incorporated", 0x02ff: "Silicon Laboratories", 0x038f: "Xiaomi Inc.", 0x0499: "Ruuvi Innovations Ltd.",
  0x05a7: "Sonos Inc", 0x067c: "Tile, Inc.", 0x0822: "Oura Health Oy", 0xffff: "For use in internal and interoperability tests",
};
