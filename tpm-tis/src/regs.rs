//! Register offsets, bit names and the reference configuration (TIS 1.3 register
//! space; ../shared/spec/tis.md §2–§3 and §10).

/// TIS 1.3: size of the MMIO window (five 4 KiB locality pages) at 0xFED4_0000.
pub const WINDOW_SIZE: u64 = 0x5000;
/// TIS 1.3: size of one locality page.
pub const PAGE_SIZE: u64 = 0x1000;

/// TIS 1.3 TPM_ACCESS_x.
pub const ACCESS: u16 = 0x000;
/// TIS 1.3 TPM_INT_ENABLE_x.
pub const INT_ENABLE: u16 = 0x008;
/// TIS 1.3 TPM_INT_VECTOR_x.
pub const INT_VECTOR: u16 = 0x00C;
/// TIS 1.3 TPM_INT_STATUS_x.
pub const INT_STATUS: u16 = 0x010;
/// TIS 1.3 TPM_INTF_CAPABILITY_x.
pub const INTF_CAPABILITY: u16 = 0x014;
/// TIS 1.3 TPM_STS_x.
pub const STS: u16 = 0x018;
/// TIS 1.3 TPM_DATA_FIFO_x.
pub const DATA_FIFO: u16 = 0x024;
/// PTP: TPM_INTERFACE_ID_x.
pub const INTERFACE_ID: u16 = 0x030;
/// PTP: first dword of TPM_XDATA_FIFO_x (QEMU decodes 0x080–0x0BF as the FIFO).
pub const XDATA_FIFO_FIRST: u16 = 0x080;
/// Last dword of the XDATA_FIFO range (QEMU).
pub const XDATA_FIFO_LAST: u16 = 0x0BC;
/// TIS 1.3 TPM_DID_VID_x.
pub const DID_VID: u16 = 0xF00;
/// TIS 1.3 TPM_RID_x.
pub const RID: u16 = 0xF04;

/// TIS 1.3 (locality 4): TPM_HASH_END, at 0xFED4_4020.
pub const HASH_END: u64 = 0x4020;
/// TIS 1.3 (locality 4): TPM_HASH_DATA, the locality-4 FIFO, at 0xFED4_4024.
pub const HASH_DATA: u64 = 0x4024;
/// TIS 1.3 (locality 4): TPM_HASH_START, at 0xFED4_4028.
pub const HASH_START: u64 = 0x4028;

/// TPM_ACCESS_x bits (TIS 1.3).
pub mod access {
    /// tpmEstablishment: active low, 1 = no dynamic OS has been established.
    pub const TPM_ESTABLISHMENT: u8 = 0x01;
    /// requestUse: this locality asks for the TPM.
    pub const REQUEST_USE: u8 = 0x02;
    /// pendingRequest: another locality asks for the TPM.
    pub const PENDING_REQUEST: u8 = 0x04;
    /// Seize: write-only, take the TPM from a lower locality.
    pub const SEIZE: u8 = 0x08;
    /// beenSeized: a higher locality took the TPM from this one.
    pub const BEEN_SEIZED: u8 = 0x10;
    /// activeLocality: this locality owns the interface (write 1 to relinquish).
    pub const ACTIVE_LOCALITY: u8 = 0x20;
    /// tpmRegValidSts: the other bits are valid.
    pub const TPM_REG_VALID_STS: u8 = 0x80;
}

/// TPM_STS_x bits (TIS 1.3), as bits of the 32-bit register.
pub mod sts {
    /// responseRetry: write 1 to read the response again from its start.
    pub const RESPONSE_RETRY: u32 = 0x02;
    /// Expect: the TPM wants more command bytes.
    pub const EXPECT: u32 = 0x08;
    /// dataAvail: response bytes are waiting in the FIFO.
    pub const DATA_AVAIL: u32 = 0x10;
    /// tpmGo: write 1 to execute the received command.
    pub const TPM_GO: u32 = 0x20;
    /// commandReady: the TPM is ready for a command (write 1 to get there or to abort).
    pub const COMMAND_READY: u32 = 0x40;
    /// stsValid: dataAvail and Expect are meaningful.
    pub const STS_VALID: u32 = 0x80;
    /// Shift of burstCount (bits 23:8).
    pub const BURST_COUNT_SHIFT: u32 = 8;
    /// commandCancel (TIS 1.3 byte 3, bit 24): cancel the executing command.
    pub const COMMAND_CANCEL: u32 = 0x0100_0000;
}

/// TPM_INT_ENABLE_x and TPM_INT_STATUS_x bits (TIS 1.3).
pub mod int {
    /// dataAvailIntEnable / dataAvailIntOccured.
    pub const DATA_AVAIL: u32 = 0x01;
    /// stsValidIntEnable / stsValidIntOccured.
    pub const STS_VALID: u32 = 0x02;
    /// localityChangeIntEnable / localityChangeIntOccured.
    pub const LOCALITY_CHANGE: u32 = 0x04;
    /// commandReadyEnable / commandReadyIntOccured.
    pub const COMMAND_READY: u32 = 0x80;
    /// All four events.
    pub const EVENTS: u32 = DATA_AVAIL | STS_VALID | LOCALITY_CHANGE | COMMAND_READY;
    /// typePolarity field (bits 4:3); 01 = low level.
    pub const TYPE_POLARITY: u32 = 0x18;
    /// globalIntEnable.
    pub const GLOBAL_INT_ENABLE: u32 = 0x8000_0000;
    /// The writable bits of TPM_INT_ENABLE_x.
    pub const ENABLE_WRITABLE: u32 = GLOBAL_INT_ENABLE | TYPE_POLARITY | EVENTS;
    /// TPM_INT_ENABLE_x after reset: low level, everything disabled.
    pub const ENABLE_RESET: u32 = 0x0000_0008;
}

/// TIS 1.3: TPM_INTF_CAPABILITY_x of a TPM 1.2 behind TIS 1.3: all four interrupts,
/// low level, dynamic burstCount, 64-byte transfers, InterfaceVersion 010.
pub const INTF_CAPABILITY_TPM12: u32 = 0x2000_0697;
/// PTP: TPM_INTERFACE_ID_x of a TIS 1.3 part (type 0xF, "not present" elsewhere).
pub const INTERFACE_ID_TIS13: u32 = 0xFFFF_FFFF;

/// The embedder's choices (tis.md §10, reference configuration).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// TIS 1.3 TPM_DID_VID_x: vendor id in bits 15:0, device id in 31:16.
    pub did_vid: u32,
    /// TIS 1.3 TPM_RID_x.
    pub rid: u8,
    /// TIS 1.3 TPM_INT_VECTOR_x: the SERIRQ number reported (bits 3:0).
    pub irq_vector: u8,
    /// TIS 1.3: whether the active locality may write TPM_INT_VECTOR_x (the spec
    /// allows it; QEMU does not). Informational only: the embedder wires the interrupt.
    pub int_vector_writable: bool,
    /// Size of the shared command/response buffer (TPM_CAP_PROP_INPUT_BUFFER).
    pub buffer_size: usize,
    /// TIS 1.3 burstCount: an upper bound, to mimic parts with small FIFOs.
    pub burst_cap: Option<u16>,
}

impl Default for Config {
    /// QEMU's values: IBM vendor 0x1014, device 0x0001, revision 1, IRQ 5 read-only,
    /// a 4096-byte buffer and no burst cap.
    fn default() -> Self {
        Self {
            did_vid: 0x0001_1014,
            rid: 0x01,
            irq_vector: 5,
            int_vector_writable: false,
            buffer_size: tpm_marshal::framing::MAX_COMMAND_SIZE,
            burst_cap: None,
        }
    }
}
