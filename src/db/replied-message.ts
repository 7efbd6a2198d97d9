export function findRepliedMessage(): undefined { return undefined; }
