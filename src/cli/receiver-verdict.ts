// The signature doctor on a recorded delivery: a correct signature is not a valid delivery when
// the receiver refused it (401/403). Then the receiver checks another secret than the one this
// destination signs with (typically an app that also has its own destination, next to `listen`),
// and calling the delivery VALID would send the user looking in the wrong place.
export interface OtherDestination {
  label: string;
  url: string;
  last4: string;
}

export interface ReceiverVerdict {
  valid: false;
  reason: string;
  signature_valid_with_destination_secret: true;
}

export function receiverRefused(responseStatus: number | null, destinationLabel: string, others: OtherDestination[]): ReceiverVerdict | null {
  if (responseStatus !== 401 && responseStatus !== 403) return null;
  const hint = others.length
    ? ` Other destinations of this application sign with their own secrets: ${others.map((o) => `'${o.label}' (${o.url}, secret …${o.last4})`).join(', ')}; a receiver checks one secret, so pause the destination you are not using.`
    : '';
  return {
    valid: false,
    reason:
      `the bytes are signed correctly with destination '${destinationLabel}''s secret, but the receiver answered ${responseStatus}: it checks a different secret. ` +
      `Give the receiver this destination's secret (for listen: 'facematch-mcp listen --print-secret'), or pass --secret with the one it uses to check that.${hint}`,
    signature_valid_with_destination_secret: true,
  };
}
