// Standard GATT 16-bit UUID names (Assigned Numbers: services, declarations, descriptors, characteristics), as
// Wireshark prints them (epan/dissectors/packet-bluetooth.c bluetooth_uuid_vals). Unlisted UUIDs decode to the number.

import type { ValueNames } from "./field.js";

export const UUID_PRIMARY_SERVICE = 0x2800, UUID_SECONDARY_SERVICE = 0x2801, UUID_INCLUDE = 0x2802,
  UUID_CHARACTERISTIC = 0x2803, UUID_CCCD = 0x2902, UUID_DEVICE_NAME = 0x2a00, UUID_APPEARANCE = 0x2a01;

/** 16-bit UUID -> name, for btatt.uuid16 & co. and btcommon.eir_ad.entry.uuid_16. */
export const GATT_UUID16: ValueNames = {
  0x1800: "Generic Access", 0x1801: "Generic Attribute", 0x1802: "Immediate Alert", 0x1803: "Link Loss", 0x1804: "Tx Power",
  0x1805: "Current Time Service", 0x1806: "Reference Time Update Service", 0x1807: "Next DST Change Service",
  0x1808: "Glucose", 0x1809: "Health Thermometer", 0x180a: "Device Information", 0x180d: "Heart Rate",
  0x180e: "Phone Alert Status Service", 0x180f: "Battery Service", 0x1810: "Blood Pressure", 0x1811: "Alert Notification Service",
  0x1812: "Human Interface Device", 0x1813: "Scan Parameters", 0x1814: "Running Speed and Cadence",
  0x1816: "Cycling Speed and Cadence", 0x1818: "Cycling Power", 0x1819: "Location and Navigation",
  0x181a: "Environmental Sensing", 0x181c: "User Data", 0x181d: "Weight Scale", 0x1822: "Pulse Oximeter Service",
  0x1827: "Mesh Provisioning Service", 0x1828: "Mesh Proxy Service",
  0x2800: "Primary Service", 0x2801: "Secondary Service", 0x2802: "Include", 0x2803: "Characteristic",
  0x2900: "Characteristic Extended Properties", 0x2901: "Characteristic User Description",
  0x2902: "Client Characteristic Configuration", 0x2903: "Server Characteristic Configuration",
  0x2904: "Characteristic Presentation Format", 0x2905: "Characteristic Aggregate Format", 0x2908: "Report Reference",
  0x2a00: "Device Name", 0x2a01: "Appearance", 0x2a02: "Peripheral Privacy Flag", 0x2a03: "Reconnection Address",
  0x2a04: "Peripheral Preferred Connection Parameters", 0x2a05: "Service Changed", 0x2a06: "Alert Level",
  0x2a07: "Tx Power Level", 0x2a19: "Battery Level", 0x2a23: "System ID", 0x2a24: "Model Number String",
  0x2a25: "Serial Number String", 0x2a26: "Firmware Revision String", 0x2a27: "Hardware Revision String",
  0x2a28: "Software Revision String", 0x2a29: "Manufacturer Name String", 0x2a2a: "IEEE 11073-20601 Regulatory Certification Data List",
  0x2a2b: "Current Time", 0x2a37: "Heart Rate Measurement", 0x2a38: "Body Sensor Location", 0x2a4d: "Report",
  0x2a50: "PnP ID", 0x2aa6: "Central Address Resolution", 0x2b29: "Client Supported Features", 0x2b2a: "Database Hash",
  0xfe9f: "Google LLC", 0xfeaa: "Google LLC (Eddystone)", 0xfd6f: "Exposure Notification Service",
};
