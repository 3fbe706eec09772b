// Modbus constants and value-name tables (Wireshark 4.0 epan/dissectors/packet-mbtcp.h and the value_strings of
// packet-mbtcp.c), shared by mbtcp.ts, modbus.ts and modbus-walk.ts.
// MODBUS Application Protocol Specification V1.1b3 §5 (function codes), §6 (requests and responses), §7
// (exception codes); MODBUS Messaging on TCP/IP Implementation Guide V1.0b §3.1.3 (MBAP header).

import type { ValueNames } from "./field.js";

/** The registered Modbus/TCP port (IANA "mbap"): segments to it are queries, from it responses. */
export const MBTCP_PORT = 502;

// Public function codes (§5.1).
export const READ_COILS = 1;
export const READ_DISCRETE_INPUTS = 2;
export const READ_HOLDING_REGS = 3;
export const READ_INPUT_REGS = 4;
export const WRITE_SINGLE_COIL = 5;
export const WRITE_SINGLE_REG = 6;
export const READ_EXCEPT_STAT = 7;
export const DIAGNOSTICS = 8;
export const GET_COMM_EVENT_CTRS = 11;
export const GET_COMM_EVENT_LOG = 12;
export const WRITE_MULT_COILS = 15;
export const WRITE_MULT_REGS = 16;
export const REPORT_SLAVE_ID = 17;
export const READ_FILE_RECORD = 20;
export const WRITE_FILE_RECORD = 21;
export const MASK_WRITE_REG = 22;
export const READ_WRITE_REG = 23;
export const READ_FIFO_QUEUE = 24;
export const ENCAP_INTERFACE_TRANSP = 43;
export const UNITY_SCHNEIDER = 90;

/** Function code names, as Wireshark 4.0 shows them (function_code_vals). */
export const FUNCTION_CODES: ValueNames = {
  1: "Read Coils", 2: "Read Discrete Inputs", 3: "Read Holding Registers", 4: "Read Input Registers",
  5: "Write Single Coil", 6: "Write Single Register", 7: "Read Exception Status", 8: "Diagnostics",
  11: "Get Comm. Event Counters", 12: "Get Comm. Event Log", 15: "Write Multiple Coils", 16: "Write Multiple Registers",
  17: "Report Slave ID", 20: "Read File Record", 21: "Write File Record", 22: "Mask Write Register",
  23: "Read Write Register", 24: "Read FIFO Queue", 43: "Encapsulated Interface Transport", 90: "Unity (Schneider)",
};

/** True for the function codes §5.3 leaves to users (65-72 and 100-110): unknown to us, but not malformed. */
export const isUserDefined = (fc: number): boolean => (fc >= 65 && fc <= 72) || (fc >= 100 && fc <= 110);

/** Exception codes (§7). */
export const EXCEPTION_CODES: ValueNames = {
  1: "Illegal function", 2: "Illegal data address", 3: "Illegal data value", 4: "Slave device failure",
  5: "Acknowledge", 6: "Slave device busy", 8: "Memory parity error", 10: "Gateway path unavailable",
  11: "Gateway target device failed to respond",
};

// Diagnostics sub-function codes (§6.8.1).
export const RETURN_QUERY_DATA = 0x00;
export const RESTART_COMMUNICATION_OPTION = 0x01;
export const RETURN_DIAGNOSTIC_REGISTER = 0x02;
export const CHANGE_ASCII_INPUT_DELIMITER = 0x03;
export const FORCE_LISTEN_ONLY_MODE = 0x04;
export const CLEAR_COUNTERS_AND_DIAG_REG = 0x0a;
export const RETURN_BUS_MESSAGE_COUNT = 0x0b;
export const RETURN_BUS_CHAR_OVERRUN_COUNT = 0x12;
export const CLEAR_OVERRUN_COUNTER_AND_FLAG = 0x14;

export const DIAGNOSTIC_CODES: ValueNames = {
  0: "Return Query Data", 1: "Restart Communications Option", 2: "Return Diagnostic Register",
  3: "Change ASCII Input Delimiter", 4: "Force Listen Only Mode", 10: "Clear Counters and Diagnostic Register",
  11: "Return Bus Message Count", 12: "Return Bus Communication Error Count", 13: "Return Bus Exception Error Count",
  14: "Return Slave Message Count", 15: "Return Slave No Response Count", 16: "Return Slave NAK Count",
  17: "Return Slave Busy Count", 18: "Return Bus Character Overrun Count", 20: "Clear Overrun Counter and Flag",
};

export const RESTART_OPTIONS: ValueNames = { 0: "Leave Log", 0xff: "Clear Log" };

// MEI types of function 43 (§6.19-6.21).
export const CANOPEN_REQ_RESP = 0x0d;
export const READ_DEVICE_ID = 0x0e;

export const MEI_TYPES: ValueNames = { 13: "CANopen Request/Response ", 14: "Read Device Identification" };

export const READ_DEVICE_ID_CODES: ValueNames = {
  1: "Basic Device Identification", 2: "Regular Device Identification", 3: "Extended Device Identification",
  4: "Specific Identification Object",
};

export const OBJECT_IDS: ValueNames = {
  0: "VendorName", 1: "ProductCode", 2: "MajorMinorRevision", 3: "VendorURL", 4: "ProductName", 5: "ModelName",
  6: "UserApplicationName",
};

export const CONFORMITY_LEVELS: ValueNames = {
  0x01: "Basic Device Identification (stream)", 0x02: "Regular Device Identification (stream)",
  0x03: "Extended Device Identification (stream)", 0x81: "Basic Device Identification (stream and individual)",
  0x82: "Regular Device Identification (stream and individual)",
  0x83: "Extended Device Identification (stream and individual)",
};

// Comm event log event bytes (§6.9).
export const RECV_EVENT_MASK = 0x80;
export const SEND_EVENT_MASK = 0xc0;
export const SEND_EVENT_VALUE = 0x40;

// How a PDU is read: packet-mbtcp.c classify_mbtcp_packet().
export const QUERY = 0;
export const RESPONSE = 1;
export const CANNOT_CLASSIFY = 2;

export const PACKET_TYPES: ValueNames = { 0: "Query", 1: "Response", 2: "unknown" };
