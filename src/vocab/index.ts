export { MOLMOACT2_TOKEN_IDS, IMAGE_TOKEN_NAMES, type TokenIds, type ImageTokenName } from "./token-ids.js";
export { TokenTable, MOLMOACT2_TOKENS } from "./token-table.js";
