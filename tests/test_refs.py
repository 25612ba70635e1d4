from intake.refs import CLAIM_REF, new_claim_ref, parse_claim_ref


def test_new_refs_have_the_contract_format_and_do_not_repeat():
    refs = {new_claim_ref() for _ in range(2000)}
    assert len(refs) == 2000
    assert all(CLAIM_REF.match(ref) for ref in refs)
    assert not any(ch in ref[3:] for ref in refs for ch in "ILOU")


def test_new_refs_are_not_sequential():
    a, b = new_claim_ref(), new_claim_ref()
    assert abs(int(a[3:7] + a[8:], 36) - int(b[3:7] + b[8:], 36)) != 1


def test_parse_accepts_what_people_type():
    assert parse_claim_ref("cl-ab12-cd34") == "CL-AB12-CD34"
    assert parse_claim_ref("AB12 CD34") == "CL-AB12-CD34"
    assert parse_claim_ref("CL-ABI2-CDO4") == "CL-AB12-CD04"
    assert parse_claim_ref("CL-AB12") is None
