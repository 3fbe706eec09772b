// Statistics over Arquero tables: baselines, scores, beaconing, conversations, Modbus command baselines and alerts.
export { baseline, score, type BaselineOptions, type ScoreOptions } from "./baseline.js";
export { beaconing, type BeaconingOptions } from "./beaconing.js";
export { conversations, CONVERSATION_FIELDS } from "./conversations.js";
export { modbusBaseline, modbusWriteAlerts, suricataRules, MODBUS_WRITE_FCS, MODBUS_FC_NAMES } from "./modbus.js";
export { bowleySkew, madSorted, mean, quantileSorted, sortedFinite, stdev } from "./describe.js";
export { mqttSessions, MQTT_SESSION_COLUMNS, CONNACK_NAMES, type MqttSessionOptions } from "./mqtt-sessions.js";
export { bleProfiles, bleDeviations, bleIntervals, bleAdvertisements, expectedProfile, channelIndex, BLE_ADV_FIELDS, PROFILE_COLUMNS, type BleProfileOptions, type ExpectedProfile, type DeviationOptions } from "./ble-profiles.js";
