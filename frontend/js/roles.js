// Event roles and their labels; what each may do in an event comes from the API (the event's `allowed`).

export const EVENT_ROLES = ['organizer', 'coorganizer', 'track_organizer', 'moderator'];
// The dashboard's event cards (the list of my events carries no `allowed`): who gets the wizard link.
export const EDITOR_ROLES = ['organizer', 'coorganizer'];

const LABELS = {
  organizer: 'Organizer',
  coorganizer: 'Co-organizer',
  track_organizer: 'Track organizer',
  moderator: 'Moderator',
};

export function roleLabel(role) {
  return LABELS[role] || role || 'Staff';
}
