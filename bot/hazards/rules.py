"""Who may take which step from which state, and whom the case waits for: the one table of the closed loop.

- reported: the head (or deputy, or a safety officer) assesses it, rejects it as not a hazard, or
  forwards it to the right department (which then assesses it afresh);
- assessed: severity and deadline are set; the rectification is assigned to a responsible person;
- assigned: that person reports it done, or asks for more time (the head accepts or refuses);
- completed: the head approves the rectification in the case's thread, or sends it back;
- approved: a safety officer verifies and closes it, or returns it (back to assigned).

Separation of duties: whoever carried out a rectification (its assignee, who reported it done) neither
approves nor verifies it (`not_by`). When a head did the work, the deputy or a safety officer (a stand-in)
approves it.

Nothing closes without a safety officer's verification. Cards, `/hazard mine`, notices and the step
use cases all ask this module; none rebuilds it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.core.errors import NotAllowed, WrongState
from bot.core.org import Org
from bot.hazards.model import Hazard, HazardStatus, Role, Step

S = HazardStatus
LEADERS, ASSIGNEE, SAFETY = frozenset({Role.LEADER, Role.SAFETY}), frozenset({Role.ASSIGNEE}), frozenset({Role.SAFETY})
HEADS = frozenset({Role.LEADER})
APPROVERS = frozenset({Role.LEADER, Role.STAND_IN})  # a stand-in exists only while a head is the assignee
NOBODY: frozenset[Role] = frozenset()


@dataclass(frozen=True)
class Rule:
    sources: frozenset[HazardStatus]
    target: HazardStatus | None  # None: the status stays
    roles: frozenset[Role]  # who may take the step
    refusal: str  # translation key shown to someone without the role
    extension_pending: bool | None = None  # None: either; else must match
    waits_for: frozenset[Role] = NOBODY  # whom the case waits for while this step is open; none: optional
    waits_in: frozenset[HazardStatus] | None = None  # the states in which it waits (None: every source)
    not_by: frozenset[Role] = NOBODY  # roles that bar the step even for someone holding one of `roles`


RULES: dict[Step, Rule] = {
    Step.ASSESS: Rule(frozenset({S.REPORTED, S.ASSESSED}), S.ASSESSED, LEADERS, "error.only_leaders",
                      waits_for=HEADS),
    Step.REJECT: Rule(frozenset({S.REPORTED, S.ASSESSED}), S.REJECTED, LEADERS, "error.only_leaders",
                      waits_for=HEADS),
    Step.FORWARD: Rule(frozenset({S.REPORTED, S.ASSESSED}), S.REPORTED, LEADERS, "error.only_leaders",
                       waits_for=HEADS),
    Step.ASSIGN: Rule(frozenset({S.ASSESSED, S.ASSIGNED}), S.ASSIGNED, LEADERS, "error.only_leaders",
                      waits_for=HEADS, waits_in=frozenset({S.ASSESSED})),  # reassigning is never owed
    Step.COMPLETE: Rule(frozenset({S.ASSIGNED}), S.COMPLETED, ASSIGNEE, "error.only_assignee", waits_for=ASSIGNEE),
    Step.REQUEST_EXTENSION: Rule(frozenset({S.ASSIGNED}), None, ASSIGNEE, "error.only_assignee", False),
    Step.ACCEPT_EXTENSION: Rule(frozenset({S.ASSIGNED}), None, HEADS, "error.only_heads", True, waits_for=HEADS),
    Step.REFUSE_EXTENSION: Rule(frozenset({S.ASSIGNED}), None, HEADS, "error.only_heads", True, waits_for=HEADS),
    Step.APPROVE: Rule(frozenset({S.COMPLETED}), S.APPROVED, APPROVERS, "error.only_heads", waits_for=APPROVERS,
                       not_by=ASSIGNEE),
    Step.SEND_BACK: Rule(frozenset({S.COMPLETED}), S.ASSIGNED, HEADS, "error.only_heads", waits_for=HEADS),
    Step.VERIFY: Rule(frozenset({S.APPROVED}), S.CLOSED, SAFETY, "error.safety_only", waits_for=SAFETY,
                      not_by=ASSIGNEE),
    Step.RETURN: Rule(frozenset({S.APPROVED}), S.ASSIGNED, SAFETY, "error.safety_only", waits_for=SAFETY),
}


def fits(step: Step, hazard: Hazard) -> bool:
    """Does the step fit the case's state now, whoever asks?"""
    rule = RULES[step]
    return hazard.status in rule.sources and rule.extension_pending in (None, hazard.extension_until is not None)


def check(hazard: Hazard, step: Step, roles: set[Role]) -> Rule:
    """Raise NotAllowed or WrongState unless someone with these roles may take this step now."""
    rule = RULES[step]
    if not roles & rule.roles:
        raise NotAllowed(rule.refusal, reference=hazard.reference)
    if roles & rule.not_by:
        raise NotAllowed("error.own_work", reference=hazard.reference)
    if not fits(step, hazard):
        raise WrongState("error.wrong_state", reference=hazard.reference, status=hazard.status.value)
    return rule


def next_steps(hazard: Hazard, roles: Iterable[Role], among: Iterable[Step] = tuple(Step)) -> list[Step]:
    """The steps (of `among`, in its order) that someone with these roles may take now."""
    held = set(roles)
    return [step for step in among
            if held & RULES[step].roles and not held & RULES[step].not_by and fits(step, hazard)]


def waiting_for(hazard: Hazard) -> set[Role]:
    """The roles whose decision or work the case waits for now (none once it is closed or rejected)."""
    return {role for step, rule in RULES.items() if fits(step, hazard)
            and (rule.waits_in is None or hazard.status in rule.waits_in) for role in rule.waits_for}


def waiting_states(role: Role) -> frozenset[tuple[HazardStatus, bool | None]]:
    """The (state, extension pending?) pairs in which a case may wait for this role (None: either), so storage
    can find exactly those cases: a head waits on an assigned case only while more time is asked for."""
    pairs = {(status, rule.extension_pending) for rule in RULES.values() if role in rule.waits_for
             for status in (rule.sources if rule.waits_in is None else rule.waits_in)}
    return frozenset(pair for pair in pairs if pair[1] is None or (pair[0], None) not in pairs)


def roles_of(user_id: str, hazard: Hazard, org: Org) -> set[Role]:
    """The roles this person holds in this case."""
    department = org.department(hazard.department_key)
    roles: set[Role] = set()
    if department is not None and user_id in department.leaders:
        roles.add(Role.LEADER)
    if org.is_safety_officer(user_id):
        roles.add(Role.SAFETY)
    if hazard.assignee_id and user_id == hazard.assignee_id:
        roles.add(Role.ASSIGNEE)
    elif Role.SAFETY in roles and _head_did_the_work(hazard, org):
        roles.add(Role.STAND_IN)
    return roles


def _head_did_the_work(hazard: Hazard, org: Org) -> bool:
    department = org.department(hazard.department_key)
    return department is not None and hazard.assignee_id in department.leaders


def people_in(role: Role, hazard: Hazard, org: Org) -> list[str]:
    """Who holds this role in this case, in the org's order."""
    if role is Role.LEADER:
        department = org.department(hazard.department_key)
        return list(department.leaders) if department else []
    if role is Role.SAFETY:
        return list(org.safety_department.members)
    if role is Role.STAND_IN:
        return [p for p in org.safety_department.members if p != hazard.assignee_id] \
            if _head_did_the_work(hazard, org) else []
    return [hazard.assignee_id] if hazard.assignee_id else []


def actors_for(step: Step, hazard: Hazard, org: Org, *, expected: bool = True) -> list[str]:
    """Who may take this step on this case (expected: only those the case waits for, not stand-ins),
    leaving out whoever the step is barred for (`not_by`): these are the people a card names."""
    rule = RULES[step]
    roles = rule.waits_for if expected and rule.waits_for else rule.roles
    barred = {person for role in rule.not_by for person in people_in(role, hazard, org)}
    return list(dict.fromkeys(person for role in Role if role in roles for person in people_in(role, hazard, org)
                              if person not in barred))


def barred(step: Step, hazard: Hazard, person: str, org: Org) -> bool:
    """Is this person kept from the step on this case whatever else they hold (their own work, `not_by`)?"""
    return bool(roles_of(person, hazard, org) & RULES[step].not_by)


def offers_for(person: str, hazard: Hazard, org: Org, among: Iterable[Step], *,
               roles: Iterable[Role] | None = None) -> list[Step]:
    """The steps (of `among`) this person may take on the case now: in the roles given (a card's role), or in
    every role they hold; never a step barred for them. What a card's or a notice's buttons are."""
    held = set(roles) if roles is not None else roles_of(person, hazard, org)
    return [step for step in next_steps(hazard, held, among) if not barred(step, hazard, person, org)]


def awaited_decision(hazard: Hazard) -> Step | None:
    """The decision a completed or approved case waits for (approve, verify), whose deciders a card names."""
    return {S.COMPLETED: Step.APPROVE, S.APPROVED: Step.VERIFY}.get(hazard.status)
