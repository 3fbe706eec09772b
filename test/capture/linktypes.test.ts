// LINKTYPE names (https://www.tcpdump.org/linktypes.html).

import assert from "node:assert/strict";
import { test } from "node:test";
import { linktypeName, maxSnaplen } from "../../lib/capture/linktypes.js";

test("linktypeName: the names the corpus and the dissectors use", () => {
  const want: [number, string][] = [
    [0, "NULL"], [1, "ETHERNET"], [101, "RAW"], [108, "LOOP"], [113, "LINUX_SLL"], [201, "BLUETOOTH_HCI_H4_WITH_PHDR"],
    [228, "IPV4"], [229, "IPV6"], [239, "NFLOG"], [251, "BLUETOOTH_LE_LL"], [256, "BLUETOOTH_LE_LL_WITH_PHDR"],
    [272, "NORDIC_BLE"], [276, "LINUX_SLL2"], [127, "IEEE802_11_RADIOTAP"], [249, "USBPCAP"],
  ];
  for (const [lt, name] of want) assert.equal(linktypeName(lt), name);
});

test("linktypeName: an unknown value names its number", () => {
  assert.equal(linktypeName(65000), "LINKTYPE_65000");
});

test("maxSnaplen: Wireshark's limits (256 KiB; 128 MiB for USBPCAP and D-Bus)", () => {
  assert.equal(maxSnaplen(1), 262144);
  assert.equal(maxSnaplen(249), 128 * 1024 * 1024);
  assert.equal(maxSnaplen(231), 128 * 1024 * 1024);
});
