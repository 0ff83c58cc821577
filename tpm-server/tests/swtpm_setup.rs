//! Debian's swtpm_setup manufactures a TPM 1.2 with `tpmd socket` as its emulator (the real
//! engine): EK, owner and SRK with well-known secrets, EK and platform certificates from
//! swtpm_localca written to NV, NV locked. Then tpmd is started on that state and the result
//! is checked with TPM commands over the data channel.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::cast_possible_truncation
)]

mod interop_common;

use interop_common::*;
use std::path::Path;
use std::process::{Command, Stdio};
use tpm_marshal::commands::capability::{GetCapability, GetCapabilityIn};
use tpm_marshal::commands::ek::{OwnerReadInternalPub, OwnerReadInternalPubIn};
use tpm_marshal::commands::nv::{NvReadValue, NvReadValueIn};
use tpm_marshal::{
    CapFlag, CapProperty, CapabilityArea, KeyHandle, NvDataPublic, NvIndex, PermanentFlags,
    SizedBuffer, Unmarshal,
};

const SWTPM_SETUP: &str = "/usr/bin/swtpm_setup";
const SWTPM_LOCALCA: &str = "/usr/bin/swtpm_localca";
const CERTTOOL: &str = "/usr/bin/certtool";

/// TSS_WELL_KNOWN_SECRET: 20 zero bytes.
const WELL_KNOWN: [u8; 20] = [0; 20];
/// Where swtpm_setup writes the EK certificate (TPM_NV_INDEX_EKCert with the D bit).
const EK_CERT_INDEX: u32 = 0x1000_F000;
/// Where it writes the platform certificate (TPM_NV_INDEX_PlatformCert with the D bit).
const PLATFORM_CERT_INDEX: u32 = 0x1000_F002;

/// Writes swtpm_setup's and swtpm_localca's configuration into `dir` (the local CA keeps its
/// keys in `dir/ca`), so the test needs nothing from /etc or /var/lib.
fn write_configs(dir: &Path) -> std::path::PathBuf {
    let ca = dir.join("ca");
    std::fs::create_dir(&ca).unwrap();
    let localca = dir.join("swtpm-localca.conf");
    std::fs::write(
        &localca,
        format!(
            "statedir = {ca}\nsigningkey = {ca}/signkey.pem\nissuercert = {ca}/issuercert.pem\n\
             certserial = {ca}/certserial\n",
            ca = ca.display()
        ),
    )
    .unwrap();
    let options = dir.join("swtpm-localca.options");
    std::fs::write(
        &options,
        "--platform-manufacturer tpmd-tests\n--platform-version 1.0\n--platform-model tpmd\n",
    )
    .unwrap();
    let setup = dir.join("swtpm_setup.conf");
    std::fs::write(
        &setup,
        format!(
            "create_certs_tool = {SWTPM_LOCALCA}\ncreate_certs_tool_config = {}\n\
             create_certs_tool_options = {}\n",
            localca.display(),
            options.display()
        ),
    )
    .unwrap();
    setup
}

/// `tpmd socket` on `state` with a TCP data port, TPM_Startup(ST_CLEAR) sent by tpmd.
fn start_tpmd(state: &Path, log: &Path) -> (KillOnDrop, u16) {
    let port = free_port();
    let child = Command::new(TPMD)
        .args(["socket", "--flags", "not-need-init,startup-clear"])
        .arg("--tpmstate")
        .arg(format!("dir={}", state.display()))
        .arg("--server")
        .arg(format!("type=tcp,port={port}"))
        .arg("--log")
        .arg(format!("file={},level=2", log.display()))
        .stdin(Stdio::null())
        .spawn()
        .unwrap();
    let mut tpmd = KillOnDrop(child);
    assert!(
        wait_for_port(port, &mut tpmd.0),
        "tpmd did not start on the manufactured state:\n{}",
        tail(log, 20)
    );
    (tpmd, port)
}

fn get_capability(tpm: &mut DataClient, area: CapabilityArea, sub: u32) -> Vec<u8> {
    let input = GetCapabilityIn {
        cap_area: area,
        sub_cap: SizedBuffer(sub.to_be_bytes().to_vec()),
    };
    tpm.run::<GetCapability>(&input)
        .unwrap_or_else(|rc| panic!("GetCapability {area:?} {sub:#x}: {rc:?}"))
        .resp
        .0
}

/// The owner secret `--owner-well-known` installs. swtpm_setup hashes every password,
/// and with this flag it hashes the 20 zero bytes of TSS_WELL_KNOWN_SECRET: the owner
/// secret is SHA-1(20 zero bytes), not the zeros themselves that TrouSerS' `-y` means.
fn swtpm_setup_well_known_owner() -> [u8; 20] {
    sha1(&[&WELL_KNOWN])
}

/// The EK's TPM_PUBKEY, read by the owner.
fn owner_read_ek(tpm: &mut DataClient, owner: &[u8; 20]) -> tpm_marshal::Pubkey {
    let input = OwnerReadInternalPubIn {
        key_handle: KeyHandle::TPM_KH_EK.0,
    };
    tpm.run_oiap::<OwnerReadInternalPub>(owner, &input)
        .unwrap_or_else(|rc| panic!("OwnerReadInternalPub(EK) with SHA-1(zeros): {rc:?}"))
        .public_portion
}

/// The whole NV area at `index`, read with the owner's authorization.
fn read_nv(tpm: &mut DataClient, owner: &[u8; 20], index: u32) -> Vec<u8> {
    let public = get_capability(tpm, CapabilityArea::TPM_CAP_NV_INDEX, index);
    let public = NvDataPublic::from_bytes(&public).unwrap();
    let input = NvReadValueIn {
        nv_index: NvIndex(index),
        offset: 0,
        data_size: public.data_size,
    };
    tpm.run_oiap::<NvReadValue>(owner, &input)
        .unwrap_or_else(|rc| panic!("NV_ReadValue {index:#x}: {rc:?}"))
        .data
        .0
}

/// The DER certificate behind the TCG PC Client header swtpm_setup writes (tag 0x1001,
/// certType 0, size, tag 0x1002).
fn certificate(nv: &[u8], what: &str) -> Vec<u8> {
    assert!(nv.len() > 7, "{what}: NV area too short: {nv:02x?}");
    assert_eq!(nv[..2], [0x10, 0x01], "{what}: stored-cert tag");
    assert_eq!(nv[2], 0, "{what}: full certificate");
    let size = u16::from_be_bytes([nv[3], nv[4]]) as usize;
    assert_eq!(nv[5..7], [0x10, 0x02], "{what}: full-cert tag");
    let der = nv[7..].to_vec();
    assert_eq!(der.len() + 2, size, "{what}: header size");
    assert_eq!(der[0], 0x30, "{what}: DER SEQUENCE");
    der
}

#[test]
fn swtpm_setup_manufactures_tpmd_with_ek_owner_certificates_and_locked_nv() {
    if !have_peers(&[
        (SWTPM_SETUP, "swtpm-tools"),
        (SWTPM_LOCALCA, "swtpm-tools"),
        (CERTTOOL, "gnutls-bin"),
    ]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let config = write_configs(dir.path());
    let state = dir.path().join("state");
    std::fs::create_dir(&state).unwrap();
    let log = dir.path().join("swtpm_setup.log");
    let out = run_with_timeout(
        Command::new(SWTPM_SETUP)
            .arg("--tpm")
            .arg(format!("{TPMD} socket"))
            .arg("--tpmstate")
            .arg(&state)
            .args([
                "--createek",
                "--take-ownership",
                "--owner-well-known",
                "--srk-well-known",
                "--create-ek-cert",
                "--create-platform-cert",
                "--lock-nvram",
            ])
            .arg("--config")
            .arg(&config)
            .arg("--logfile")
            .arg(&log),
        TOOL_TIMEOUT,
    );
    let setup_log = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(
        out.status.success(),
        "swtpm_setup failed: {}\n--- its log\n{setup_log}",
        text(&out)
    );
    for step in [
        "Successfully created EK.",
        "Successfully took ownership of the TPM.",
        "Successfully created EK certificate locally.",
        "Successfully created platform certificate locally.",
        "Successfully created NVRAM area for EK certificate.",
        "Successfully created NVRAM area for Platform certificate.",
        "Successfully locked NVRAM access.",
        "Successfully authored TPM state.",
    ] {
        assert!(
            setup_log.contains(step),
            "missing '{step}' in:\n{setup_log}"
        );
    }
    assert!(state.join("tpm-permanent.state").exists());

    // swtpm_setup --not-overwrite now sees the state through tpmd --print-states
    let again = run_with_timeout(
        Command::new(SWTPM_SETUP)
            .arg("--tpm")
            .arg(format!("{TPMD} socket"))
            .arg("--tpmstate")
            .arg(&state)
            .args(["--createek", "--not-overwrite"])
            .arg("--config")
            .arg(&config)
            .arg("--logfile")
            .arg(&log),
        TOOL_TIMEOUT,
    );
    assert!(again.status.success(), "--not-overwrite: {}", text(&again));
    assert!(
        std::fs::read_to_string(&log)
            .unwrap()
            .contains("Not overwriting existing state file."),
        "tpmd --print-states did not report the permanent state"
    );

    let tpmd_log = dir.path().join("tpmd.log");
    let (_tpmd, port) = start_tpmd(&state, &tpmd_log);
    let mut tpm = DataClient::connect(port);

    let owner = get_capability(
        &mut tpm,
        CapabilityArea::TPM_CAP_PROPERTY,
        CapProperty::TPM_CAP_PROP_OWNER.0,
    );
    assert_eq!(owner, [1], "TPM_CAP_PROP_OWNER after swtpm_setup");

    let flags = get_capability(
        &mut tpm,
        CapabilityArea::TPM_CAP_FLAG,
        CapFlag::TPM_CAP_FLAG_PERMANENT.0,
    );
    let flags = PermanentFlags::from_bytes(&flags).unwrap();
    assert!(flags.nv_locked, "nvLocked after --lock-nvram: {flags:?}");
    assert!(flags.ownership && !flags.read_pubek, "{flags:?}");

    // the EK exists and the owner may read it
    let owner = swtpm_setup_well_known_owner();
    let ek = owner_read_ek(&mut tpm, &owner);
    let modulus = ek.pub_key.key.0;
    assert_eq!(modulus.len(), 256, "RSA-2048 EK");

    // NV holds the EK certificate, issued for this EK
    let ek_cert = certificate(&read_nv(&mut tpm, &owner, EK_CERT_INDEX), "EK certificate");
    assert!(
        ek_cert.windows(modulus.len()).any(|w| w == modulus),
        "the EK certificate does not carry the EK's modulus"
    );
    certificate(
        &read_nv(&mut tpm, &owner, PLATFORM_CERT_INDEX),
        "platform certificate",
    );
}
