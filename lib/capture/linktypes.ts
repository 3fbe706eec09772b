// LINKTYPE_ values of pcap and pcapng files and their names.
// https://www.tcpdump.org/linktypes.html ; draft-ietf-opsawg-pcaplinktype

/** LINKTYPE number -> name without the `LINKTYPE_` prefix. */
export const LINKTYPES: ReadonlyMap<number, string> = new Map([
  [0, "NULL"], [1, "ETHERNET"], [2, "EXP_ETHERNET"], [3, "AX25"], [4, "PRONET"], [5, "CHAOS"],
  [6, "IEEE802_5"], [7, "ARCNET_BSD"], [8, "SLIP"], [9, "PPP"], [10, "FDDI"],
  // Values 11..14 are DLT_ values some systems wrote with their own meaning; Wireshark reads 12 as raw IP.
  [12, "RAW_LEGACY"], [14, "RAW_LEGACY_OPENBSD"],
  [50, "PPP_HDLC"], [51, "PPP_ETHER"], [99, "SYMANTEC_FIREWALL"], [100, "ATM_RFC1483"], [101, "RAW"],
  [104, "C_HDLC"], [105, "IEEE802_11"], [106, "ATM_CLIP"], [107, "FRELAY"], [108, "LOOP"], [109, "ENC"],
  [112, "NETBSD_HDLC"], [113, "LINUX_SLL"], [114, "LTALK"], [117, "PFLOG"], [119, "IEEE802_11_PRISM"],
  [122, "IP_OVER_FC"], [123, "SUNATM"], [127, "IEEE802_11_RADIOTAP"], [129, "ARCNET_LINUX"],
  [138, "APPLE_IP_OVER_IEEE1394"], [139, "MTP2_WITH_PHDR"], [140, "MTP2"], [141, "MTP3"], [142, "SCCP"],
  [143, "DOCSIS"], [144, "LINUX_IRDA"], [147, "USER0"], [148, "USER1"], [149, "USER2"], [150, "USER3"],
  [151, "USER4"], [152, "USER5"], [153, "USER6"], [154, "USER7"], [155, "USER8"], [156, "USER9"],
  [157, "USER10"], [158, "USER11"], [159, "USER12"], [160, "USER13"], [161, "USER14"], [162, "USER15"],
  [163, "IEEE802_11_AVS"], [165, "BACNET_MS_TP"], [166, "PPP_PPPD"], [169, "GPRS_LLC"], [170, "GPF_T"],
  [171, "GPF_F"], [177, "LINUX_LAPD"], [182, "MFR"], [187, "BLUETOOTH_HCI_H4"], [189, "USB_LINUX"],
  [192, "PPI"], [195, "IEEE802_15_4_WITHFCS"], [196, "SITA"], [197, "ERF"],
  [201, "BLUETOOTH_HCI_H4_WITH_PHDR"], [202, "AX25_KISS"], [203, "LAPD"], [204, "PPP_WITH_DIR"],
  [205, "C_HDLC_WITH_DIR"], [206, "FRELAY_WITH_DIR"], [207, "LAPB_WITH_DIR"], [209, "IPMB_LINUX"],
  [210, "FLEXRAY"], [212, "LIN"], [215, "IEEE802_15_4_NONASK_PHY"], [220, "USB_LINUX_MMAPPED"],
  [224, "FC_2"], [225, "FC_2_WITH_FRAME_DELIMS"], [226, "IPNET"], [227, "CAN_SOCKETCAN"], [228, "IPV4"],
  [229, "IPV6"], [230, "IEEE802_15_4_NOFCS"], [231, "DBUS"], [235, "DVB_CI"], [236, "MUX27010"],
  [237, "STANAG_5066_D_PDU"], [239, "NFLOG"], [240, "NETANALYZER"], [241, "NETANALYZER_TRANSPARENT"],
  [242, "IPOIB"], [243, "MPEG_2_TS"], [244, "NG40"], [245, "NFC_LLCP"], [247, "INFINIBAND"], [248, "SCTP"],
  [249, "USBPCAP"], [250, "RTAC_SERIAL"], [251, "BLUETOOTH_LE_LL"], [252, "WIRESHARK_UPPER_PDU"],
  [253, "NETLINK"], [254, "BLUETOOTH_LINUX_MONITOR"], [255, "BLUETOOTH_BREDR_BB"],
  [256, "BLUETOOTH_LE_LL_WITH_PHDR"], [257, "PROFIBUS_DL"], [258, "PKTAP"], [259, "EPON"],
  [260, "IPMI_HPM_2"], [261, "ZWAVE_R1_R2"], [262, "ZWAVE_R3"], [263, "WATTSTOPPER_DLM"], [264, "ISO_14443"],
  [265, "RDS"], [266, "USB_DARWIN"], [268, "SDLC"], [270, "LORATAP"], [271, "VSOCK"], [272, "NORDIC_BLE"],
  [273, "DOCSIS31_XRA31"], [274, "ETHERNET_MPACKET"], [275, "DISPLAYPORT_AUX"], [276, "LINUX_SLL2"],
  [278, "OPENVIZSLA"], [279, "EBHSCR"], [280, "VPP_DISPATCH"], [281, "DSA_TAG_BRCM"],
  [282, "DSA_TAG_BRCM_PREPEND"], [283, "IEEE802_15_4_TAP"], [284, "DSA_TAG_DSA"], [285, "DSA_TAG_EDSA"],
  [286, "ELEE"], [287, "Z_WAVE_SERIAL"], [288, "USB_2_0"], [289, "ATSC_ALP"], [290, "ETW"],
  [292, "ZBOSS_NCP"], [293, "USB_2_0_LOW_SPEED"], [294, "USB_2_0_FULL_SPEED"], [295, "USB_2_0_HIGH_SPEED"],
  [296, "AUERSWALD_LOG"], [297, "ZWAVE_TAP"], [298, "SILABS_DEBUG_CHANNEL"], [299, "FIRA_UCI"],
  [300, "MDB"], [301, "DECT_NR"],
]);

/** The LINKTYPE name of `lt` ("ETHERNET", "LINUX_SLL2", …), or `LINKTYPE_<n>` when unknown. Never throws. */
export function linktypeName(lt: number): string {
  return LINKTYPES.get(lt) ?? `LINKTYPE_${lt}`;
}

/**
 * Largest captured length Wireshark accepts for a link type before calling the file damaged
 * (wiretap/wtap.c wtap_max_snaplen_for_encap): 256 KiB, more for USBPCAP, D-Bus and EBHSCR.
 */
export function maxSnaplen(lt: number): number {
  switch (lt) {
    case 249: return 128 * 1024 * 1024; // USBPCAP: WTAP_MAX_PACKET_SIZE_USBPCAP
    case 231: return 128 * 1024 * 1024; // DBUS: WTAP_MAX_PACKET_SIZE_DBUS
    case 279: return 8 * 1024 * 1024; // EBHSCR: WTAP_MAX_PACKET_SIZE_EBHSCR
    default: return 262144; // WTAP_MAX_PACKET_SIZE_STANDARD
  }
}
