// Event roles and their labels; what each may do in an event comes from the API (the event's `allowed`).

export const EVENT_ROLES = ['organizer', 'coorganizer', 'track_organizer', 'moderator', 'checkin'];
// The dashboard's event cards (the list of my events carries no `allowed`): who gets the wizard link.
export const EDITOR_ROLES = ['organizer', 'coorganizer'];
// Door staff: their event card opens the scanner, the one thing they do.
export const DOOR_ROLE = 'checkin';

const LABELS = {
  organizer: 'Organizer',
  coorganizer: 'Co-organizer',
  track_organizer: 'Track organizer',
  moderator: 'Moderator',
  checkin: 'Door staff (check-in)',
};

// The matrix's services, as the super admin's page names them (the API's names are not people's).
const SERVICE_LABELS = {
  track: 'Tracks',
  session: 'Sessions',
  speaker: 'Speakers',
  sponsor: 'Sponsors',
  microlocation: 'Rooms',
  attendee: 'Attendees',
};

export function roleLabel(role) {
  return LABELS[role] || role || 'Staff';
}

export function serviceLabel(service) {
  return SERVICE_LABELS[service] || service.charAt(0).toUpperCase() + service.slice(1);
}

export function scannerPath(eventId) {
  return `#/events/${encodeURIComponent(eventId)}/scan`;
}
