package store

import (
	"context"

	"github.com/clusterforge/clusterforge/shared/domain"
)

// CreateClusterProfile stores a new profile at version 1. ErrAlreadyExists
// if the name is taken in the project.
func (s *Store) CreateClusterProfile(ctx context.Context, scope domain.Scope, p *domain.ClusterProfile) error {
	p.Version = 1
	return s.createNamed(ctx, scope, KindProfile, p.ID, p.Name, p)
}

// GetClusterProfile reads one profile; ErrNotFound if it is not in scope.
func (s *Store) GetClusterProfile(ctx context.Context, scope domain.Scope, id string) (*domain.ClusterProfile, error) {
	var p domain.ClusterProfile
	if err := s.getEntity(ctx, scope, KindProfile, id, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// ListClusterProfiles returns one page of the project's profiles, oldest first.
func (s *Store) ListClusterProfiles(ctx context.Context, scope domain.Scope, page Page) ([]domain.ClusterProfile, string, error) {
	return listEntities[domain.ClusterProfile](ctx, s, scope, KindProfile, page)
}

// UpdateClusterProfile replaces a profile read at p.Version (optimistic
// locking): ErrConflict if someone else wrote it since, ErrAlreadyExists if
// a rename collides. On success p.Version is the new version.
func (s *Store) UpdateClusterProfile(ctx context.Context, scope domain.Scope, p *domain.ClusterProfile) error {
	current, err := s.GetClusterProfile(ctx, scope, p.ID)
	if err != nil {
		return err
	}
	expected := p.Version
	next := *p
	next.Version = expected + 1
	next.CreatedAt, next.CreatedBy = current.CreatedAt, current.CreatedBy
	next.UpdatedAt = s.Now().UTC()
	if err := s.replaceNamed(ctx, scope, KindProfile, p.ID, current.Name, p.Name, expected, &next); err != nil {
		return err
	}
	*p = next
	return nil
}
