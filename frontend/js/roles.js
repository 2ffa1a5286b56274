// Event roles and what the fixed rules (not the matrix) let each do; see DESIGN.md.

export const EVENT_ROLES = ['organizer', 'coorganizer', 'track_organizer', 'moderator'];
export const EDITOR_ROLES = ['organizer', 'coorganizer'];
export const OWNER_ROLES = ['organizer'];

const LABELS = {
  organizer: 'Organizer',
  coorganizer: 'Co-organizer',
  track_organizer: 'Track organizer',
  moderator: 'Moderator',
};

export function roleLabel(role) {
  return LABELS[role] || role || 'Staff';
}
